import { afterAll, describe, expect, it } from "vitest";
import { type HostProcess, restartableHostData, startHostProcess } from "../helpers/host.js";
import { execute, readEvents, waitForRun } from "../helpers/runs.js";

/**
 * An approval is stored before its run is woken (decideApproval). A host SIGKILLed in between has
 * answered 200 but never resumed the run's hook: the run would wait on it until the approval's
 * timeout (a day by default) and then fail as expired. The approval reconciler, a background check
 * of the next host, must find the decided request and wake the run, which then acts exactly once.
 */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe("behavior: an approval whose wake-up was lost to SIGKILL still resumes its run", () => {
  it("the next host's reconciler wakes the run and it swaps once", async () => {
    const { base, dispose } = await restartableHostData("approval-wake");
    cleanups.push(dispose);
    const env = {
      // A 1000 CRO swap is past the built-in policy's per-action cap; this test is about the wake.
      PAYGENT_DEFAULT_POLICY: JSON.stringify({ allowedActions: ["balance", "swap"] }),
    };

    let host: HostProcess = await startHostProcess({
      ...base,
      env: { ...env, PAYGENT_FAULT: "after-decision" },
    });
    const accepted = await execute(host, {
      command: "swap 1000 CRO for USDC",
      approvalThreshold: "5",
    });
    const waiting = await waitForRun(host, accepted.runId, ["waiting_approval"]);
    const { token } = waiting.pendingApprovals[0];
    const decided = await host.request("POST", `/api/approvals/${token}`, { decision: "approve" });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe("approved");
    await new Promise<void>((resolve) => host.child.once("exit", () => resolve()));
    expect(host.output()).toContain("fault injection");

    host = await startHostProcess({ ...base, env });
    cleanups.push(() => host.stop());
    const run = await waitForRun(
      host,
      accepted.runId,
      ["completed", "failed", "cancelled"],
      90_000,
    );
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    const swaps = run.steps.filter((step: { action: string }) => step.action === "swap");
    expect(swaps).toHaveLength(1);
    expect(swaps[0].txHashes).toHaveLength(1);
    // Decided once, on the first host; nothing on the second decided it again.
    const events = await readEvents(host, accepted.runId);
    expect(events.filter((event) => event.event === "approval.decided")).toHaveLength(1);
  }, 240_000);
});
