import { readFile, rename, stat, writeFile } from "node:fs/promises";

/** Where the last state.json that parsed is kept; startAnvil falls back to it. */
export function lastGoodStatePath(statePath: string): string {
  return `${statePath.slice(0, -".json".length)}.prev.json`;
}

export interface LastGoodStateKeeper {
  /**
   * Waits for a dump anvil began after this call (at most `timeoutMs`) and keeps it: after the
   * fixtures are deployed, so a kill in the next dump cannot take them. False when none came.
   */
  keepNextDump(timeoutMs?: number): Promise<boolean>;
  stop(): void;
}

/** anvil dumps every second; a dump whose file changed this long after a moment began after it. */
const DUMP_INTERVAL_MARGIN_MS = 1_500;

/**
 * anvil rewrites state.json in place every second (`--state-interval 1`), so the file is often
 * half-written (76 of 1,110 reads in 8 s on this machine). A SIGKILL of anvil at such a moment
 * leaves it truncated, and the next start falls back to state.prev.json (startAnvil). This keeps
 * that copy within `everyMs` of the chain, instead of as old as the last start: it copies the
 * file whenever it parses and its size changed since the last copy (an idle chain costs a stat).
 * The copy is written to a temporary file and renamed, so it is never half-written itself.
 */
export function keepLastGoodState(statePath: string, everyMs: number): LastGoodStateKeeper {
  const target = lastGoodStatePath(statePath);
  let keptSize = -1;
  let busy = false;
  // One copy at a time: two writes of the same temporary file could interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const keep = (newerThanMs: number): Promise<boolean> => {
    const next = queue.then(() => keepNow(newerThanMs));
    queue = next;
    return next;
  };

  /** Copies state.json if it parses (and was written after `newerThanMs`); true when kept. */
  const keepNow = async (newerThanMs: number): Promise<boolean> => {
    try {
      const info = await stat(statePath);
      if (info.mtimeMs <= newerThanMs) return false;
      if (info.size === keptSize) return true;
      const bytes = await readFile(statePath);
      JSON.parse(bytes.toString("utf8"));
      const temporary = `${target}.${process.pid}.tmp`;
      await writeFile(temporary, bytes);
      await rename(temporary, target);
      keptSize = bytes.length;
      return true;
    } catch {
      // Not written yet, or read mid-write: the next turn tries again.
      return false;
    }
  };

  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void keep(0).finally(() => {
      busy = false;
    });
  }, everyMs);
  timer.unref();

  return {
    async keepNextDump(timeoutMs = 10_000) {
      const after = Date.now() + DUMP_INTERVAL_MARGIN_MS;
      const deadline = Date.now() + timeoutMs;
      keptSize = -1;
      while (Date.now() < deadline) {
        if (await keep(after)) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
