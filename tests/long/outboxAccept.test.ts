import { afterAll, describe, expect, it } from "vitest";
import { type HostProcess, restartableHostData, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * The outbox accept (the default off Vercel) answers 202 once the run row is committed and starts
 * the workflow just after. A host SIGKILLed in between leaves a committed run whose workflow never
 * started: the next host's orphan check must start it (once its claim is stale, 30 s), and the run
 * must end exactly as an uninterrupted one would.
 */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe("behavior: a command accepted just before SIGKILL is not lost", () => {
  it("the next host starts the committed run and it completes once", async () => {
    const { base, dispose } = await restartableHostData("outbox");
    cleanups.push(dispose);

    let host: HostProcess = await startHostProcess({
      ...base,
      env: { PAYGENT_FAULT: "after-accept" },
    });
    const accepted = await execute(host, { command: "what's my balance" });
    expect(accepted.status).toBe("running");
    await new Promise<void>((resolve) => host.child.once("exit", () => resolve()));
    expect(host.output()).toContain("fault injection");

    host = await startHostProcess(base);
    cleanups.push(() => host.stop());
    const run = await waitForRun(
      host,
      accepted.runId,
      ["completed", "failed", "cancelled"],
      90_000,
    );
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    expect(run.workflowRunId).toMatch(/^wrun_/);
    expect(run.steps.filter((step: { action: string }) => step.action === "balance")).toHaveLength(
      1,
    );
  }, 180_000);
});
