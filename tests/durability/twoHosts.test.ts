import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../helpers/devnet.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { createPostgresWorld } from "../helpers/postgresWorld.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * Self-hosting on the Postgres world with two host processes sharing the work: a run started on
 * host A, waiting for approval when A is SIGKILLed, is approved through host B and completes there.
 */
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

it("behavior: a run started on one host completes on the other after the first is killed", async () => {
  // A may die while it holds the run's queue job: B releases it after 15 s (default 300 s).
  const world = await createPostgresWorld("paygent_world", {
    WORKFLOW_POSTGRES_RECLAIM_SECONDS: "15",
  });
  cleanups.push(world.drop);
  const shared = mkdtempSync(path.join(tmpdir(), "paygent-shared-"));
  cleanups.push(() => disposeHostData(shared));
  const devnetPort = await freePort();
  const env = {
    ...world.env,
    // One devnet for both hosts: the second finds the first's anvil through the shared state dir.
    DEVNET_STATE_DIR: path.join(shared, "devnet"),
    RATE_LIMIT_PER_MINUTE: "100000",
  };

  const hostA: HostProcess = await startHostProcess({ devnetPort, env });
  cleanups.push(() => disposeHostData(hostA.dataDir));
  const hostB: HostProcess = await startHostProcess({ devnetPort, env });
  cleanups.push(async () => {
    await hostB.stop();
    await disposeHostData(hostB.dataDir);
  });

  const accepted = await execute(hostA, {
    command: "swap 1000 CRO for USDC",
    approvalThreshold: "5",
  });
  const waiting = await waitForRun(hostA, accepted.runId, ["waiting_approval"]);
  await hostA.kill();

  const decided = await hostB.request(
    "POST",
    `/api/approvals/${waiting.pendingApprovals[0].token}`,
    { decision: "approve" },
  );
  expect(decided.status).toBe(200);
  const run = await waitForRun(
    hostB,
    accepted.runId,
    ["completed", "failed", "cancelled"],
    180_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n--- host B output ---\n${hostB.output().slice(-4000)}`);
  });
  expect(run.status, JSON.stringify(run.error)).toBe("completed");
  const swap = run.steps.find((s: { action: string }) => s.action === "swap");
  expect(swap).toMatchObject({ status: "completed", attempts: 1 });
  expect(swap.txHashes).toHaveLength(1);
}, 600_000);
