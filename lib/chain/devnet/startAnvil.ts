import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { DEVNET_CHAIN_ID } from "../devnetConstants.js";
import { DevnetError } from "../errors.js";
import { callAnvil } from "./callAnvil.js";
import {
  keepLastGoodState,
  type LastGoodStateKeeper,
  lastGoodStatePath,
} from "./keepLastGoodState.js";

export { DEVNET_CHAIN_ID } from "../devnetConstants.js";

export interface StartAnvilParameters {
  port: number;
  chainId?: number;
  /**
   * Directory for state.json (loaded on start, dumped every second and on exit), anvil.pid and
   * anvil.log. Omit for a throw-away in-memory chain.
   */
  stateDir?: string;
  /**
   * Run anvil in its own process group, outliving this process (default: true when stateDir is set).
   * A SIGKILLed host then leaves the chain running, and the next start reuses it via the pid file.
   */
  detached?: boolean;
  /** How long to wait for the RPC to answer (ms). */
  timeoutMs?: number;
  /** How often this process refreshes state.prev.json from anvil (ms; keepLastGoodState). */
  keepStateEveryMs?: number;
}

export interface AnvilInstance {
  rpcUrl: string;
  port: number;
  chainId: number;
  pid: number;
  /** True when a live anvil from an earlier start was found and reused. */
  reused: boolean;
  /**
   * Copies the chain's state now as the last good state (keepLastGoodState); false without a
   * stateDir, or when anvil did not answer.
   */
  keepState(): Promise<boolean>;
  /** SIGTERM (anvil dumps its state on exit), waits for exit, SIGKILL after 5 s; removes the pid file. */
  stop(): Promise<void>;
}

interface PidFile {
  pid: number;
  port: number;
  chainId: number;
}

const require = createRequire(import.meta.url);

/** Path of the anvil binary shipped in @foundry-rs/anvil's platform package. */
export function anvilBinaryPath(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const platform = process.platform === "win32" ? "win32" : process.platform;
  const pkg = `@foundry-rs/anvil-${platform}-${arch}`;
  try {
    const dir = resolve(require.resolve(`${pkg}/package.json`), "..");
    const binary = join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
    if (existsSync(binary)) return binary;
  } catch {
    // fall through to PATH
  }
  return "anvil";
}

/**
 * Starts anvil (or reuses a live one recorded in stateDir/anvil.pid on the same port) and resolves
 * once its RPC answers with the expected chain id.
 *
 * Durability: with a stateDir, anvil runs detached with `--state state.json --state-interval 1`, so a
 * SIGKILL of the host does not touch the chain, and a SIGKILL of anvil itself loses what came after
 * the later of anvil's last whole dump and this process's last copy (keepLastGoodState, every
 * `keepStateEveryMs` when a block was mined; see guardStateFile); a SIGTERM dumps the full state on
 * exit.
 */
export async function startAnvil(parameters: StartAnvilParameters): Promise<AnvilInstance> {
  const { port, stateDir } = parameters;
  const chainId = parameters.chainId ?? DEVNET_CHAIN_ID;
  const detached = parameters.detached ?? stateDir !== undefined;
  const timeoutMs = parameters.timeoutMs ?? 15_000;
  const rpcUrl = `http://127.0.0.1:${port}`;
  const pidPath = stateDir ? join(stateDir, "anvil.pid") : undefined;

  if (pidPath && existsSync(pidPath)) {
    const recorded = readPidFile(pidPath);
    if (recorded && recorded.port === port && isAlive(recorded.pid)) {
      const answered = await readChainId(rpcUrl).catch(() => undefined);
      if (answered === chainId) {
        return instance(
          { rpcUrl, port, chainId, pid: recorded.pid, reused: true, pidPath },
          keeperOf(rpcUrl, stateDir, parameters.keepStateEveryMs),
        );
      }
    }
    rmSync(pidPath, { force: true });
  }

  const occupant = await readChainId(rpcUrl).catch(() => undefined);
  if (occupant !== undefined) {
    throw new DevnetError(
      `Port ${port} is already serving an RPC (chain id ${occupant}) not started from this state directory`,
      {
        metaMessages: ["Stop that process, or choose another DEVNET_PORT."],
      },
    );
  }

  // --quiet drops the per-request log lines (startup errors still reach stderr).
  const args = [
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--chain-id",
    String(chainId),
    "--quiet",
  ];
  let logFd: number | undefined;
  if (stateDir) {
    mkdirSync(stateDir, { recursive: true });
    const statePath = resolve(stateDir, "state.json");
    guardStateFile(statePath);
    args.push("--state", statePath, "--state-interval", "1");
    logFd = openSync(join(stateDir, "anvil.log"), "a");
  }

  const child: ChildProcess = spawn(anvilBinaryPath(), args, {
    detached,
    stdio: ["ignore", logFd ?? "ignore", logFd ?? "pipe"],
  });
  if (logFd !== undefined) closeSync(logFd);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `anvil exited (${signal ?? `code ${code}`})`;
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once("error", (error) =>
      reject(new DevnetError("Could not spawn anvil", { cause: error })),
    );
  });
  spawnError.catch(() => {});
  if (detached) child.unref();
  if (child.pid === undefined) await spawnError;
  const pid = child.pid as number;
  // Recorded before it answers: a host that dies while anvil starts (detached, it lives on) leaves
  // the pid behind for the next start or for whoever removes the data folder to stop it.
  if (pidPath) writeFileSync(pidPath, JSON.stringify({ pid, port, chainId } satisfies PidFile));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      if (pidPath) rmSync(pidPath, { force: true });
      const log = stateDir ? tail(join(stateDir, "anvil.log")) : stderr;
      throw new DevnetError(`anvil failed to start on port ${port}: ${exited}`, { details: log });
    }
    const answered = await readChainId(rpcUrl).catch(() => undefined);
    if (answered === chainId) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      if (pidPath) rmSync(pidPath, { force: true });
      throw new DevnetError(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
  return instance(
    { rpcUrl, port, chainId, pid, reused: false, pidPath },
    keeperOf(rpcUrl, stateDir, parameters.keepStateEveryMs),
  );
}

/** A state keeper for a persisted chain (none for an in-memory one). */
function keeperOf(
  rpcUrl: string,
  stateDir: string | undefined,
  everyMs = 5_000,
): LastGoodStateKeeper | undefined {
  if (!stateDir) return undefined;
  return keepLastGoodState({ rpcUrl, statePath: resolve(stateDir, "state.json") }, everyMs);
}

function instance(
  parameters: Omit<AnvilInstance, "stop" | "keepState"> & { pidPath: string | undefined },
  keeper: LastGoodStateKeeper | undefined,
): AnvilInstance {
  const { pidPath, ...rest } = parameters;
  return {
    ...rest,
    keepState: async () => (await keeper?.keepNow()) ?? false,
    async stop() {
      keeper?.stop();
      await stopProcess(rest.pid);
      if (pidPath) rmSync(pidPath, { force: true });
    },
  };
}

async function stopProcess(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + 5_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
      return;
    }
    await sleep(25);
  }
}

/** eth_chainId, answered within a second. */
async function readChainId(rpcUrl: string): Promise<number> {
  const result = await callAnvil(rpcUrl, "eth_chainId", { timeoutMs: 1_000 });
  if (typeof result !== "string") throw new Error("no chain id");
  return Number.parseInt(result, 16);
}

/**
 * anvil rewrites state.json every second, in place: a SIGKILL in mid-write leaves it truncated (and
 * anvil refuses to start on a broken file), and on a loaded machine its dumps can lag the chain by
 * seconds. state.prev.json is the copy keepLastGoodState takes from anvil while a host runs. Start
 * from whichever of the two parses and holds the later block; keep the other as the new copy, or,
 * when neither parses, set the broken file aside and start fresh (the fixtures redeploy at the same
 * addresses).
 */
function guardStateFile(statePath: string): void {
  const previous = lastGoodStatePath(statePath);
  const current = blockOfStateFile(statePath);
  const kept = blockOfStateFile(previous);
  if (current !== undefined && (kept === undefined || current >= kept)) {
    copyFileSync(statePath, previous);
    return;
  }
  if (current === undefined && existsSync(statePath))
    renameSync(statePath, `${statePath}.corrupt-${Date.now()}`);
  if (kept !== undefined) copyFileSync(previous, statePath);
}

/** The latest block of a state file, or undefined when it is missing or does not parse. */
function blockOfStateFile(path: string): bigint | undefined {
  try {
    const state = JSON.parse(readFileSync(path, "utf8")) as {
      best_block_number?: number | string;
      block?: { number?: string };
    };
    return BigInt(state.best_block_number ?? state.block?.number ?? 0);
  } catch {
    return undefined;
  }
}

function readPidFile(path: string): PidFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<PidFile>;
    if (
      typeof parsed.pid === "number" &&
      typeof parsed.port === "number" &&
      typeof parsed.chainId === "number"
    ) {
      return parsed as PidFile;
    }
  } catch {}
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by us) still answers kill 0; check /proc where it exists.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2];
    return stat !== "Z";
  } catch (error) {
    return (
      (error as NodeJS.ErrnoException).code === "EPERM" ||
      ((error as NodeJS.ErrnoException).code === "ENOENT" && process.platform !== "linux")
    );
  }
}

function tail(path: string): string {
  try {
    return readFileSync(path, "utf8").slice(-2000);
  } catch {
    return "";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
