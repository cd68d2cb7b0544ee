import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RunStatus } from "../../../../lib/db/database.js";
import {
  OVERDUE_APPROVAL_GRACE_MS,
  reconcileApprovals,
} from "../../../../lib/runs/wake/reconcileApprovals.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";

/**
 * The approval reconciler's safety net against a run's lost timer: a request still pending well
 * past its expiry, on a run that waits for it, is expired (the run's next step then fails it with
 * approval_expired). Real Postgres; the runs have no workflow, so nothing is woken here.
 */
let testDb: TestDb;

beforeAll(async () => {
  testDb = await createTestDb("pg");
});

afterAll(async () => {
  await testDb?.dispose();
});

async function waitingRun(status: RunStatus = "waiting_approval") {
  const sessionId = `ses_${randomUUID().slice(0, 12)}`;
  const runId = `run_${randomUUID().slice(0, 12)}`;
  await testDb.db.insertInto("agent_sessions").values({ id: sessionId }).execute();
  await testDb.db
    .insertInto("runs")
    .values({ id: runId, session_id: sessionId, command: "swap 1000 CRO for USDC", status })
    .execute();
  return { runId, sessionId };
}

async function approval(
  run: { runId: string; sessionId: string },
  expiresInMs: number,
  stepIndex = 0,
): Promise<string> {
  const token = `apr_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("approval_requests")
    .values({
      token,
      run_id: run.runId,
      session_id: run.sessionId,
      step_index: stepIndex,
      action: JSON.stringify({ type: "balance" }),
      reason: "held",
      status: "pending",
      expires_at: new Date(Date.now() + expiresInMs),
    })
    .execute();
  return token;
}

const statusOf = async (token: string) =>
  (
    await testDb.db
      .selectFrom("approval_requests")
      .select("status")
      .where("token", "=", token)
      .executeTakeFirstOrThrow()
  ).status;

describe("reconcileApprovals", () => {
  test("behavior: a request pending past its expiry and the grace is expired; one within the grace, one not yet due and one of a run no longer waiting are left alone", async () => {
    const overdue = await approval(await waitingRun(), -OVERDUE_APPROVAL_GRACE_MS - 5_000);
    const withinGrace = await approval(await waitingRun(), -OVERDUE_APPROVAL_GRACE_MS + 10_000);
    const notDue = await approval(await waitingRun(), 60_000);
    const ended = await approval(await waitingRun("failed"), -OVERDUE_APPROVAL_GRACE_MS - 5_000);

    await reconcileApprovals(testDb.db);
    expect(await statusOf(overdue)).toBe("expired");
    expect(await statusOf(withinGrace)).toBe("pending");
    expect(await statusOf(notDue)).toBe("pending");
    expect(await statusOf(ended)).toBe("pending");

    // Idempotent: a second pass changes nothing more.
    await reconcileApprovals(testDb.db);
    expect(await statusOf(overdue)).toBe("expired");
    expect(await statusOf(withinGrace)).toBe("pending");
  });
});
