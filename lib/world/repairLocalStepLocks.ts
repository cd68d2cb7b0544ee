import { readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { log } from "../log.js";

/** A step terminal lock the local world left behind, and what was done about it. */
export interface RepairedStepLock {
  runId: string;
  stepId: string;
  /** The step entity had been marked terminal without its event: put back to running. */
  entityReset: boolean;
}

const LOCK_NAME = /^(wrun_[0-9A-Za-z]+)-(step_[0-9A-Za-z]+)\.terminal(?:\.([0-9A-Za-z_-]+))?$/;
const TERMINAL_EVENTS = new Set(["step_completed", "step_failed"]);
const TERMINAL_STATUSES = new Set(["completed", "failed", "cancelled"]);

/**
 * The local world (`@workflow/world-local`) ends a step in three writes: it claims an exclusive
 * lock file (`.locks/steps/<run>-<step>.terminal`), writes the step entity, then appends the
 * `step_completed` / `step_failed` event. A host killed between the first write and the last leaves
 * a claimed lock without an event: the resumed run re-runs the step, every attempt to record it is
 * refused ("Cannot modify step in terminal state"), and the run stays `running` forever — the stuck
 * run of issue 14, found again by tests/long/chaos.test.ts.
 *
 * Run at start-up, before the world resumes runs: the local world belongs to one process, so a lock
 * of a still active run whose event is missing can only be a crash's leftover. The lock is removed and an entity already
 * marked terminal is put back to `running`, so the resumed run re-runs the step (steps are
 * idempotent: a payment or transaction is recovered, never repeated) and records it this time.
 */
export async function repairLocalStepLocks(dataDir: string): Promise<RepairedStepLock[]> {
  const lockDir = path.join(dataDir, ".locks", "steps");
  const names = await readdir(lockDir).then(
    (found) => found.sort(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [] as string[];
      throw error;
    },
  );
  const eventsDir = path.join(dataDir, "events");
  const eventFiles = names.length
    ? await readdir(eventsDir).catch(() => [] as string[])
    : ([] as string[]);
  const repaired: RepairedStepLock[] = [];
  const endedCache = new Map<string, Set<string>>();
  const activeCache = new Map<string, boolean>();
  for (const name of names) {
    const match = LOCK_NAME.exec(name);
    if (!match) continue;
    const [, runId, stepId, tag] = match as unknown as [string, string, string, string | undefined];
    // Only runs still active: an ended run's events may have been pruned (pruneLocalEvents) while
    // its locks stay, and nothing will run its steps again anyway.
    let active = activeCache.get(runId);
    if (active === undefined) {
      const run = await readJson(
        path.join(dataDir, "runs", `${runId}${tag ? `.${tag}` : ""}.json`),
      );
      active = typeof run?.status === "string" && !TERMINAL_STATUSES.has(run.status);
      activeCache.set(runId, active);
    }
    if (!active) continue;
    let ended = endedCache.get(runId);
    if (!ended) {
      ended = await endedSteps(eventsDir, eventFiles, runId);
      endedCache.set(runId, ended);
    }
    if (ended.has(stepId)) continue;
    await unlink(path.join(lockDir, name)).catch(() => {});
    const entityReset = await resetStepEntity(
      path.join(dataDir, "steps", `${runId}-${stepId}${tag ? `.${tag}` : ""}.json`),
    );
    repaired.push({ runId, stepId, entityReset });
  }
  if (repaired.length > 0)
    log.warn("removed step locks a crashed host left in the local world", { repaired });
  return repaired;
}

/** Step ids of `runId` whose terminal event is in the event log. */
async function endedSteps(
  eventsDir: string,
  eventFiles: string[],
  runId: string,
): Promise<Set<string>> {
  const ended = new Set<string>();
  for (const file of eventFiles) {
    if (!file.startsWith(`${runId}-`) || !file.endsWith(".json")) continue;
    const event = await readJson(path.join(eventsDir, file));
    if (
      event &&
      typeof event.eventType === "string" &&
      TERMINAL_EVENTS.has(event.eventType) &&
      typeof event.correlationId === "string"
    )
      ended.add(event.correlationId);
  }
  return ended;
}

/** Puts a step entity marked terminal back to running; true when it did. */
async function resetStepEntity(file: string): Promise<boolean> {
  const step = await readJson(file);
  if (!step || typeof step.status !== "string" || !TERMINAL_STATUSES.has(step.status)) return false;
  const { output: _output, error: _error, completedAt: _completedAt, ...rest } = step;
  const temporary = `${file}.repair.${process.pid}`;
  await writeFile(temporary, JSON.stringify({ ...rest, status: "running" }, null, 2));
  await rename(temporary, file);
  return true;
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
