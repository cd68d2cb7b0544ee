import { rename, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { callAnvil } from "./callAnvil.js";

const gunzipAsync = promisify(gunzip);
const rpcTimeout = { timeoutMs: 10_000 };
/** Copies taken by this process, naming each one's temporary file. */
let copies = 0;

/** Where the last good copy of state.json is kept; startAnvil falls back to it. */
export function lastGoodStatePath(statePath: string): string {
  return `${statePath.slice(0, -".json".length)}.prev.json`;
}

export interface LastGoodStateKeeper {
  /** Copies the chain's state now (after the fixtures are deployed); false when anvil did not answer. */
  keepNow(): Promise<boolean>;
  stop(): void;
}

/**
 * anvil rewrites state.json in place every second (`--state-interval 1`), so the file is often
 * half-written (76 of 1,110 reads in 8 s on this machine). A SIGKILL of anvil at such a moment
 * leaves it truncated, and the next start falls back to state.prev.json (startAnvil). This keeps
 * that copy within `everyMs` of the chain, instead of as old as the last start.
 *
 * The copy comes from anvil itself (`anvil_dumpState`: the same JSON as the file, gzipped), so it is
 * whole by construction and costs this process no parse of the state; it is taken only when the
 * block number moved, and written to a temporary file and renamed, never left half-written itself.
 */
export function keepLastGoodState(
  parameters: { rpcUrl: string; statePath: string },
  everyMs: number,
): LastGoodStateKeeper {
  const target = lastGoodStatePath(parameters.statePath);
  let keptBlock: string | undefined;
  // One copy at a time, so a forced copy never races the periodic one.
  let queue: Promise<unknown> = Promise.resolve();

  const copy = async (force: boolean): Promise<boolean> => {
    try {
      const block = (await callAnvil(parameters.rpcUrl, "eth_blockNumber", rpcTimeout)) as string;
      if (!force && block === keptBlock) return true;
      const dump = (await callAnvil(parameters.rpcUrl, "anvil_dumpState", rpcTimeout)) as string;
      const state = await gunzipAsync(Buffer.from(dump.slice(2), "hex"));
      // Its own name per copy: two keepers of one chain (a reused anvil) never share a file.
      const temporary = `${target}.${process.pid}.${++copies}.tmp`;
      await writeFile(temporary, state);
      await rename(temporary, target);
      keptBlock = block;
      return true;
    } catch {
      // anvil is down or restarting: the next turn tries again.
      return false;
    }
  };
  const keep = (force: boolean): Promise<boolean> => {
    const next = queue.then(() => copy(force));
    queue = next;
    return next;
  };

  const timer = setInterval(() => void keep(false), everyMs);
  timer.unref();
  return {
    keepNow: () => keep(true),
    stop() {
      clearInterval(timer);
    },
  };
}
