import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { repairLocalStepLocks } from "../../../lib/world/repairLocalStepLocks.js";

/**
 * The local world's layout as @workflow/world-local 4.x writes it: a step ends with its terminal
 * lock, its entity, then its event. A crash between them is what the repair undoes.
 */
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function world(): string {
  dir = mkdtempSync(path.join(tmpdir(), "paygent-world-"));
  for (const sub of [".locks/steps", "steps", "events", "runs"])
    mkdirSync(path.join(dir, sub), { recursive: true });
  return dir;
}
const write = (file: string, value: unknown) =>
  writeFileSync(path.join(dir, file), typeof value === "string" ? value : JSON.stringify(value));
const step = (run: string, id: string, status: string) =>
  write(`steps/${run}-${id}.json`, { runId: run, stepId: id, status, attempt: 1, output: "x" });
const event = (run: string, n: number, type: string, correlationId: string) =>
  write(`events/${run}-evnt_${n}.json`, { eventType: type, correlationId, runId: run });
const run = (id: string, status: string) => write(`runs/${id}.json`, { runId: id, status });
const lock = (run: string, id: string) => write(`.locks/steps/${run}-${id}.terminal`, "");
const locked = (run: string, id: string) =>
  existsSync(path.join(dir, `.locks/steps/${run}-${id}.terminal`));
const status = (run: string, id: string) =>
  JSON.parse(readFileSync(path.join(dir, `steps/${run}-${id}.json`), "utf8"));

describe("repairLocalStepLocks", () => {
  test("behavior: keeps locks whose terminal event exists; removes those a crash left, putting a terminal entity back to running", async () => {
    world();
    for (const id of ["wrun_A", "wrun_B", "wrun_C"]) run(id, "running");
    // Ended properly: lock, entity, event.
    step("wrun_A", "step_1", "completed");
    event("wrun_A", 1, "step_completed", "step_1");
    lock("wrun_A", "step_1");
    // Killed after the lock, before the entity (the chaos run's first stuck run).
    step("wrun_B", "step_1", "running");
    event("wrun_B", 1, "step_started", "step_1");
    lock("wrun_B", "step_1");
    // Killed after the entity, before the event (its second).
    step("wrun_C", "step_2", "completed");
    event("wrun_C", 1, "step_started", "step_2");
    lock("wrun_C", "step_2");
    // A failed step ended properly stays too.
    step("wrun_C", "step_1", "failed");
    event("wrun_C", 2, "step_failed", "step_1");
    lock("wrun_C", "step_1");

    const repaired = await repairLocalStepLocks(dir);
    expect(repaired).toEqual([
      { runId: "wrun_B", stepId: "step_1", entityReset: false },
      { runId: "wrun_C", stepId: "step_2", entityReset: true },
    ]);
    expect(locked("wrun_A", "step_1")).toBe(true);
    expect(locked("wrun_C", "step_1")).toBe(true);
    expect(locked("wrun_B", "step_1")).toBe(false);
    expect(locked("wrun_C", "step_2")).toBe(false);
    expect(status("wrun_B", "step_1")).toMatchObject({ status: "running", output: "x" });
    expect(status("wrun_C", "step_2")).toEqual({
      runId: "wrun_C",
      stepId: "step_2",
      status: "running",
      attempt: 1,
    });
    expect(status("wrun_A", "step_1").status).toBe("completed");
    // A finished run whose events were pruned (pruneLocalEvents) keeps its locks: left alone.
    run("wrun_D", "completed");
    step("wrun_D", "step_1", "completed");
    lock("wrun_D", "step_1");
    // Idempotent: a second pass finds nothing.
    expect(await repairLocalStepLocks(dir)).toEqual([]);
    expect(locked("wrun_D", "step_1")).toBe(true);
    expect(status("wrun_D", "step_1").status).toBe("completed");
  });

  test("behavior: a world folder without locks (or none at all) is left alone", async () => {
    world();
    expect(await repairLocalStepLocks(dir)).toEqual([]);
    expect(await repairLocalStepLocks(path.join(dir, "missing"))).toEqual([]);
  });
});
