import { afterAll, beforeAll } from "vitest";
import {
  disposeHostData,
  type HostProcess,
  type StartHostOptions,
  startHostProcess,
} from "./host.js";

/**
 * Most files that test through a real host start one for the whole file and throw it away at the
 * end: this registers that as the file's beforeAll (startHostProcess, within `timeoutMs`) and
 * afterAll (stop, errors swallowed, then disposeHostData). Call it at the top level before the
 * file's own hooks, so its beforeAll runs first (hooks run in registration order) and its afterAll
 * last (vitest's default "stack" order).
 *
 * The answer stands for the started host, so tests use it as they would the HostProcess itself;
 * read it inside tests and later hooks only. A file that restarts or replaces its host keeps its
 * own hooks.
 */
export function useHostProcess(options: StartHostOptions = {}, timeoutMs = 240_000): HostProcess {
  let host: HostProcess | undefined;

  const current = (): HostProcess => {
    if (!host)
      throw new Error(
        "useHostProcess: the host starts in beforeAll; use it in tests and later hooks",
      );
    return host;
  };

  beforeAll(async () => {
    host = await startHostProcess(options);
  }, timeoutMs);

  afterAll(async () => {
    await host?.stop().catch(() => {});
    if (host) await disposeHostData(host.dataDir);
  });

  return {
    get url(): string {
      return current().url;
    },
    get port(): number {
      return current().port;
    },
    get apiKey(): string {
      return current().apiKey;
    },
    get dataDir(): string {
      return current().dataDir;
    },
    get env(): Record<string, string> {
      return current().env;
    },
    get child(): HostProcess["child"] {
      return current().child;
    },
    output: (): string => current().output(),
    kill: (): Promise<void> => current().kill(),
    stop: (): Promise<void> => current().stop(),
    observations: (): ReturnType<HostProcess["observations"]> => current().observations(),
    request: (...args: Parameters<HostProcess["request"]>): ReturnType<HostProcess["request"]> =>
      current().request(...args),
  };
}
