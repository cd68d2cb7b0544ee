import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { restartableHostData, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * The local world's history stays bounded on a real host (lib/world/pruneLocalEvents.ts): with
 * WORKFLOW_LOCAL_EVENT_HISTORY_RUNS=1, once runs have been finished for 10 s the host deletes their
 * event files and their steps' lock files (`.locks/steps`, which the world itself never removes)
 * and keeps the newest run's; every run still reads as completed, with its steps. A host started
 * again on the same data (it reads every step lock back at start, repairLocalStepLocks) runs a new
 * command to completion.
 */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** The world run ids that have files in one of the world's folders (`<runId>-…`). */
async function runsWithFiles(folder: string): Promise<Set<string>> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return new Set(
    names.filter((name) => name.startsWith("wrun_")).map((name) => name.split("-")[0]!),
  );
}

describe("behavior: the local world's event and lock files are pruned with their runs", () => {
  it("keeps the newest run's files, deletes the older runs', and every run stays readable", async () => {
    const { base, dispose } = await restartableHostData("pruning");
    cleanups.push(dispose);
    const env = { WORKFLOW_LOCAL_EVENT_HISTORY_RUNS: "1" };
    const host = await startHostProcess({ ...base, env });
    cleanups.push(() => host.stop());
    const worldDir = host.env.WORKFLOW_LOCAL_DATA_DIR!;
    const eventsDir = path.join(worldDir, "events");
    const locksDir = path.join(worldDir, ".locks", "steps");

    const runs: { runId: string; workflowRunId: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const accepted = await execute(host, { command: "what's my balance" });
      const run = await waitForRun(host, accepted.runId);
      expect(run.status).toBe("completed");
      runs.push({ runId: run.id, workflowRunId: run.workflowRunId });
    }
    const worldRunIds = runs.map((run) => run.workflowRunId);
    // Every ended step left its lock: three steps (parse, plan, balance) a run.
    expect(await runsWithFiles(locksDir)).toEqual(new Set(worldRunIds));
    expect((await readdir(locksDir)).length).toBe(9);

    // A pass every 2 s; a run is pruned once it has been finished for 10 s.
    const newest = worldRunIds[2]!;
    const deadline = Date.now() + 60_000;
    let events = await runsWithFiles(eventsDir);
    let locks = await runsWithFiles(locksDir);
    while ((events.size > 1 || locks.size > 1) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      events = await runsWithFiles(eventsDir);
      locks = await runsWithFiles(locksDir);
    }
    expect(events).toEqual(new Set([newest]));
    expect(locks).toEqual(new Set([newest]));
    expect((await readdir(locksDir)).length).toBe(3);

    for (const run of runs) {
      const read = await waitForRun(host, run.runId);
      expect(read.status).toBe("completed");
      expect(read.steps.map((step: { action: string }) => step.action)).toEqual(["balance"]);
    }

    // A host on the same data reads the remaining locks back at start and runs on.
    await host.stop();
    const again = await startHostProcess({ ...base, env });
    cleanups.push(() => again.stop());
    const accepted = await execute(again, { command: "what's my balance" });
    expect((await waitForRun(again, accepted.runId)).status).toBe("completed");
  });
});
