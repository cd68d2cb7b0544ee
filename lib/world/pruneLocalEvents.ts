import { readdir, readFile, unlink } from "node:fs/promises";
import path from "node:path";

export interface PruneLocalEventsParameters {
  /** The local world's data folder (WORKFLOW_LOCAL_DATA_DIR). */
  dataDir: string;
  /** Keep the event files of this many most recently finished runs. */
  keepRuns: number;
  /**
   * Never touch a run that finished less than this long ago (default 10 s): a queue message racing
   * the run's end still finds its events. Runs end and are delivered within milliseconds here; the
   * margin is generous, and small enough that a busy host's folder stays near `keepRuns`.
   */
  minAgeMs?: number;
  /** Clock, for tests. */
  now?: number;
}

export interface PruneLocalEventsResult {
  /** Runs whose event files were deleted in this pass. */
  prunedRuns: number;
  deletedFiles: number;
  /** Event files left in the folder. */
  remainingFiles: number;
}

/** What a pass learnt about a run that has event files: its end, or that it has not ended. */
type RunEnd = { endedAt: number } | { endedAt: undefined };

const terminal = new Set(["completed", "failed", "cancelled"]);

/**
 * Bounds the local world's events/ folder. The local world finds a run's events by listing the
 * whole folder (every step of every run does), so each run slows down as history grows (2–2.5×
 * after ~13k event files). A finished run's events are never read again by the runtime (a late
 * message for it stops at the run's terminal status), so this deletes the event files of finished
 * runs beyond the `keepRuns` most recent. Run and step files stay: `workflow inspect runs` and
 * `inspect steps --run` still show every run; `inspect events` shows the kept ones.
 *
 * Untagged files only (tagged ones belong to @workflow/vitest); active runs are never touched.
 */
export async function pruneLocalEvents(
  parameters: PruneLocalEventsParameters,
  known: Map<string, RunEnd> = new Map(),
): Promise<PruneLocalEventsResult> {
  const { dataDir, keepRuns } = parameters;
  const now = parameters.now ?? Date.now();
  const minAgeMs = parameters.minAgeMs ?? 10_000;
  const eventsDir = path.join(dataDir, "events");
  const names = await readdir(eventsDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });

  // events/<runId>-<eventId>.json, both ids free of "." and "-".
  const filesByRun = new Map<string, string[]>();
  for (const name of names) {
    const match = /^(wrun_[0-9A-Za-z]+)-evnt_[0-9A-Za-z]+\.json$/.exec(name);
    if (!match) continue;
    const files = filesByRun.get(match[1]!) ?? [];
    files.push(name);
    filesByRun.set(match[1]!, files);
  }
  // Forget runs whose files are gone (pruned, or removed by hand).
  for (const runId of known.keys()) if (!filesByRun.has(runId)) known.delete(runId);

  const finished: { runId: string; endedAt: number }[] = [];
  for (const runId of filesByRun.keys()) {
    let end = known.get(runId);
    if (end?.endedAt === undefined) {
      end = await readRunEnd(dataDir, runId);
      // An ended run stays ended: remember it so the next pass need not read it again.
      if (end.endedAt !== undefined) known.set(runId, end);
    }
    if (end.endedAt !== undefined) finished.push({ runId, endedAt: end.endedAt });
  }

  finished.sort((a, b) => b.endedAt - a.endedAt);
  let prunedRuns = 0;
  let deletedFiles = 0;
  for (const { runId, endedAt } of finished.slice(keepRuns)) {
    if (now - endedAt < minAgeMs) continue;
    for (const name of filesByRun.get(runId)!) {
      await unlink(path.join(eventsDir, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
      deletedFiles++;
    }
    known.delete(runId);
    prunedRuns++;
  }
  return { prunedRuns, deletedFiles, remainingFiles: names.length - deletedFiles };
}

async function readRunEnd(dataDir: string, runId: string): Promise<RunEnd> {
  try {
    const run = JSON.parse(await readFile(path.join(dataDir, "runs", `${runId}.json`), "utf8")) as {
      status?: string;
      completedAt?: string;
      updatedAt?: string;
    };
    if (!run.status || !terminal.has(run.status)) return { endedAt: undefined };
    const endedAt = Date.parse(run.completedAt ?? run.updatedAt ?? "");
    return { endedAt: Number.isFinite(endedAt) ? endedAt : 0 };
  } catch {
    // No run file (yet, or a foreign file): leave its events alone.
    return { endedAt: undefined };
  }
}
