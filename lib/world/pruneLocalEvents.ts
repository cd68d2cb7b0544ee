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
  /** Lock files deleted (steps' and waits', of ended runs whose events are gone). */
  deletedLocks: number;
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
 * The world also leaves a lock file per ended step (`.locks/steps/<run>-<step>.terminal`, the
 * claim that lets one attempt record a step's outcome) and per completed wait, and never removes
 * them: ~12,000 after 10,000 runs, each read back at host start (repairLocalStepLocks reads the run
 * of every step lock). A pruned run's locks go with its events: its steps' entities stay, and an
 * ended step's entity refuses a late outcome on its own; the world deleted its waits when it ended,
 * so a late wait completion finds none; and an ended run refuses anything new.
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
  const names = await listFolder(eventsDir);

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
  const prunedRunIds = new Set<string>();
  let deletedFiles = 0;
  for (const { runId, endedAt } of finished.slice(keepRuns)) {
    if (now - endedAt < minAgeMs) continue;
    for (const name of filesByRun.get(runId)!) {
      await removeFile(path.join(eventsDir, name));
      deletedFiles++;
    }
    known.delete(runId);
    prunedRunIds.add(runId);
  }
  const deletedLocks = await pruneRunLocks(dataDir, { prunedRunIds, filesByRun, now, minAgeMs });
  return {
    prunedRuns: prunedRunIds.size,
    deletedFiles,
    remainingFiles: names.length - deletedFiles,
    deletedLocks,
  };
}

/** The lock files the local world leaves per run and never removes: `.locks/<folder>/<run>-<id><suffix>`. */
const runLockFolders = [
  // A step's terminal claim: one attempt records its outcome.
  { folder: "steps", name: /^(wrun_[0-9A-Za-z]+)-step_[0-9A-Za-z]+\.terminal$/ },
  // A wait's completion claim (sleeps, approval timeouts).
  { folder: "waits", name: /^(wrun_[0-9A-Za-z]+)-[0-9A-Za-z_]+\.completed$/ },
];

/**
 * Deletes the lock files of ended runs that have no event files left: those pruned just now, and
 * those pruned before (by an earlier pass or host, or a history older than pruning), whose run file
 * is read once to confirm the run ended. After the first pass the folders hold the locks of the
 * kept and active runs only, so later passes read next to nothing. Untagged locks only.
 */
async function pruneRunLocks(
  dataDir: string,
  runs: {
    prunedRunIds: Set<string>;
    filesByRun: Map<string, string[]>;
    now: number;
    minAgeMs: number;
  },
): Promise<number> {
  const ended = new Map<string, boolean>();
  const canGo = async (runId: string): Promise<boolean> => {
    if (runs.prunedRunIds.has(runId)) return true;
    // A run whose events are still here is kept, and so are its locks.
    if (runs.filesByRun.has(runId)) return false;
    let result = ended.get(runId);
    if (result === undefined) {
      const end = await readRunEnd(dataDir, runId);
      result = end.endedAt !== undefined && runs.now - end.endedAt >= runs.minAgeMs;
      ended.set(runId, result);
    }
    return result;
  };
  let deleted = 0;
  for (const { folder, name: pattern } of runLockFolders) {
    const lockDir = path.join(dataDir, ".locks", folder);
    for (const name of await listFolder(lockDir)) {
      const runId = pattern.exec(name)?.[1];
      if (!runId || !(await canGo(runId))) continue;
      await removeFile(path.join(lockDir, name));
      deleted++;
    }
  }
  return deleted;
}

/** A folder's entries; none when it does not exist (yet). */
async function listFolder(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
}

/** Deletes a file that may already be gone. */
async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
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
