import { afterAll, beforeAll, expect, test } from "vitest";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * Cancelling a run that waits on an approval (issue 20) used to flood the host log with
 * `Queue message failed (attempt N, HTTP 500) … Step "step_…" not found` until restart: the cancel
 * woke the approval hook, the workflow scheduled its next step while the world cancelled the run,
 * and the runtime enqueued a step the world had refused to create. Now the log stays quiet.
 */
let host: HostProcess;

beforeAll(async () => {
  host = await startHostProcess({ database: "postgres" });
}, 300_000);

afterAll(async () => {
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
});

test("behavior: a cancelled approval wait leaves no retrying queue message; the log stays quiet for 60 s", async () => {
  const accepted = await execute(host, {
    command: "swap 1000 CRO for USDC",
    approvalThreshold: "5",
  });
  await waitForRun(host, accepted.runId, ["waiting_approval"]);
  const from = host.output().length;
  const cancelled = await host.request("POST", `/api/runs/${accepted.runId}/cancel`);
  expect(cancelled.status).toBe(202);
  expect((await waitForRun(host, accepted.runId)).status).toBe("cancelled");

  await new Promise((resolve) => setTimeout(resolve, 60_000));
  const log = host.output().slice(from);
  expect(log).not.toMatch(/Queue message failed/);
  expect(log).not.toMatch(/not found/i);
  // The run is still cancelled and nothing ran after the cancel.
  const run = await host.request("GET", `/api/runs/${accepted.runId}`);
  expect(run.body.status).toBe("cancelled");
  const swap = run.body.steps.find((s: { action: string }) => s.action === "swap");
  expect(swap).toMatchObject({ status: "cancelled", txHashes: [] });
}, 200_000);
