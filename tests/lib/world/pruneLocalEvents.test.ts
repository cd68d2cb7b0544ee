import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { pruneLocalEvents } from "../../../lib/world/pruneLocalEvents.js";

/** A local world data folder laid out as @workflow/world-local writes it. */
describe("pruneLocalEvents", () => {
  let dataDir: string;
  const now = Date.parse("2026-11-30T12:00:00Z");

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "paygent-prune-"));
    await mkdir(path.join(dataDir, "events"));
    await mkdir(path.join(dataDir, "runs"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  let serial = 0;
  const id = (prefix: string) => `${prefix}_01M8${String(serial++).padStart(22, "0")}`;
  const addRun = async (status: string, endedSecondsAgo?: number, events = 3) => {
    const runId = id("wrun");
    const run: Record<string, unknown> = { runId, status, createdAt: new Date(now - 3_600_000) };
    if (endedSecondsAgo !== undefined) run.completedAt = new Date(now - endedSecondsAgo * 1000);
    await writeFile(path.join(dataDir, "runs", `${runId}.json`), JSON.stringify(run));
    for (let i = 0; i < events; i++) {
      await writeFile(path.join(dataDir, "events", `${runId}-${id("evnt")}.json`), "{}");
    }
    return runId;
  };
  const eventRuns = async () =>
    new Set((await readdir(path.join(dataDir, "events"))).map((name) => name.split("-")[0]));

  test("behavior: keeps the newest finished runs' events and deletes the older ones", async () => {
    const oldest = await addRun("completed", 500);
    const older = await addRun("failed", 400);
    const newer = await addRun("cancelled", 300);
    const newest = await addRun("completed", 200);
    const result = await pruneLocalEvents({ dataDir, keepRuns: 2, now });
    expect(result).toEqual({ prunedRuns: 2, deletedFiles: 6, remainingFiles: 6, deletedLocks: 0 });
    expect(await eventRuns()).toEqual(new Set([newer, newest]));
    expect(await eventRuns()).not.toContain(oldest);
    expect(await eventRuns()).not.toContain(older);
  });

  test("behavior: never touches a running or waiting run, however old", async () => {
    const running = await addRun("running");
    const pending = await addRun("pending");
    await addRun("completed", 900);
    const result = await pruneLocalEvents({ dataDir, keepRuns: 0, now });
    expect(result.prunedRuns).toBe(1);
    expect(await eventRuns()).toEqual(new Set([running, pending]));
  });

  test("behavior: a run that ended moments ago keeps its events even beyond the count", async () => {
    const justEnded = await addRun("completed", 5);
    await addRun("completed", 120);
    await pruneLocalEvents({ dataDir, keepRuns: 0, now, minAgeMs: 30_000 });
    expect(await eventRuns()).toEqual(new Set([justEnded]));
  });

  test("behavior: leaves tagged files, stray files and events without a run file alone", async () => {
    const orphan = id("wrun");
    const foreign = [
      `${id("wrun")}-${id("evnt")}.vitest-0.json`,
      `${orphan}-${id("evnt")}.json`,
      `${id("wrun")}-${id("evnt")}.json.tmp.01M8X`,
      "notes.txt",
    ];
    for (const name of foreign) await writeFile(path.join(dataDir, "events", name), "{}");
    await addRun("completed", 900);
    await pruneLocalEvents({ dataDir, keepRuns: 0, now });
    expect((await readdir(path.join(dataDir, "events"))).sort()).toEqual(foreign.sort());
  });

  test("behavior: a later pass prunes runs that have ended since, remembering ended runs", async () => {
    const known = new Map();
    const runId = await addRun("running");
    await pruneLocalEvents({ dataDir, keepRuns: 0, now }, known);
    expect(await eventRuns()).toEqual(new Set([runId]));
    await writeFile(
      path.join(dataDir, "runs", `${runId}.json`),
      JSON.stringify({ runId, status: "completed", completedAt: new Date(now - 60_000) }),
    );
    const result = await pruneLocalEvents({ dataDir, keepRuns: 0, now }, known);
    expect(result.prunedRuns).toBe(1);
    expect(await eventRuns()).toEqual(new Set());
    expect(known.size).toBe(0);
  });

  test("behavior: a missing events folder is an empty history", async () => {
    await rm(path.join(dataDir, "events"), { recursive: true });
    expect(await pruneLocalEvents({ dataDir, keepRuns: 10, now })).toEqual({
      prunedRuns: 0,
      deletedFiles: 0,
      remainingFiles: 0,
      deletedLocks: 0,
    });
  });

  describe("lock files (steps' terminal claims, waits' completions)", () => {
    const lockDir = () => path.join(dataDir, ".locks", "steps");
    const addLocks = async (runId: string, count = 2, tag?: string) => {
      await mkdir(lockDir(), { recursive: true });
      const names = Array.from(
        { length: count },
        () => `${runId}-${id("step")}.terminal${tag ? `.${tag}` : ""}`,
      );
      for (const name of names) await writeFile(path.join(lockDir(), name), "");
      return names;
    };
    const locks = async () => (await readdir(lockDir())).sort();

    test("behavior: a pruned run's locks go with its events; kept and active runs keep theirs", async () => {
      const pruned = await addRun("completed", 500);
      const kept = await addRun("completed", 200);
      const active = await addRun("running");
      await addLocks(pruned);
      const keptLocks = await addLocks(kept);
      const activeLocks = await addLocks(active, 1);
      const result = await pruneLocalEvents({ dataDir, keepRuns: 1, now });
      expect(result).toMatchObject({ prunedRuns: 1, deletedLocks: 2 });
      expect(await locks()).toEqual([...keptLocks, ...activeLocks].sort());
    });

    test("behavior: an ended run pruned earlier loses its locks; unknown, recent or tagged ones stay", async () => {
      // Runs whose events are already gone (an earlier pass, or a history older than pruning).
      const prunedEarlier = await addRun("completed", 900, 0);
      const justEnded = await addRun("completed", 2, 0);
      const stillRunning = await addRun("running", undefined, 0);
      await addLocks(prunedEarlier, 3);
      const kept = [
        ...(await addLocks(justEnded)),
        ...(await addLocks(stillRunning)),
        ...(await addLocks(id("wrun"))), // no run file
        ...(await addLocks(prunedEarlier, 1, "vitest-0")),
      ];
      await writeFile(path.join(lockDir(), "notes.txt"), "");
      const result = await pruneLocalEvents({ dataDir, keepRuns: 0, now });
      expect(result.deletedLocks).toBe(3);
      expect(await locks()).toEqual([...kept, "notes.txt"].sort());
      // Nothing left to delete: a second pass leaves the folder as it is.
      expect((await pruneLocalEvents({ dataDir, keepRuns: 0, now })).deletedLocks).toBe(0);
    });

    test("behavior: a pruned run's wait completions go too; an active run's stay", async () => {
      const pruned = await addRun("completed", 500);
      const active = await addRun("running");
      const waitDir = path.join(dataDir, ".locks", "waits");
      await mkdir(waitDir, { recursive: true });
      const prunedWait = `${pruned}-${id("wait")}.completed`;
      const activeWait = `${active}-${id("wait")}.completed`;
      for (const name of [prunedWait, activeWait]) await writeFile(path.join(waitDir, name), "");
      const result = await pruneLocalEvents({ dataDir, keepRuns: 0, now });
      expect(result).toMatchObject({ prunedRuns: 1, deletedLocks: 1 });
      expect(await readdir(waitDir)).toEqual([activeWait]);
    });
  });
});
