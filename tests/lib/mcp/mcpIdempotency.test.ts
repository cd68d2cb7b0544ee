import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

/**
 * An idempotency key over MCP (run_command, pay_x402) answers its run only to the same request:
 * startRun stores a fingerprint of what was asked in the run's options and refuses another request
 * under the key with idempotency_conflict (REST's 422; the tool's `invalid` error with that code).
 */
vi.mock("../../../lib/runs/start/ensureWorkflowStarted.js", async (importOriginal) => {
  const original =
    await importOriginal<typeof import("../../../lib/runs/start/ensureWorkflowStarted.js")>();
  return {
    ...original,
    // No workflow world here: the accepted row is what is under test.
    startClaimed: async (_db: unknown, run: unknown) => run,
    ensureWorkflowStarted: async (_db: unknown, run: unknown) => run,
  };
});

const { sql } = await import("kysely");
const { createKey } = await import("../../../lib/auth/createKey.js");
const { ClientError } = await import("../../../lib/errors/index.js");
const { createPolicy } = await import("../../../lib/policy/createPolicy.js");
const { payX402Tool } = await import("../../../lib/mcp/tools/payX402.js");
const { runCommandTool } = await import("../../../lib/mcp/tools/runCommand.js");
const { startRun } = await import("../../../lib/runs/start/startRun.js");
const { createTestDb } = await import("../../helpers/db.js");

let testDb: Awaited<ReturnType<typeof createTestDb>>;
let ctx: Parameters<typeof payX402Tool.handler>[1];

beforeAll(async () => {
  testDb = await createTestDb("pg");
  const policy = await createPolicy(testDb.db, {
    document: { allowedActions: ["pay", "balance", "transfer", "swap", "discover"] },
  });
  const key = await createKey(testDb.db, { name: "agent", role: "agent", policyId: policy.id });
  ctx = {
    db: testDb.db,
    principal: { keyId: key.id, role: "agent", scope: "sessions" },
    request: new Request("http://127.0.0.1/api/mcp", { method: "POST" }),
    signal: new AbortController().signal,
  };
}, 120_000);
afterAll(async () => {
  await testDb?.dispose();
});

const url = "https://93.184.215.14/a";
const pay = (args: { url?: string; amount?: string; idempotencyKey: string }) =>
  payX402Tool.handler(
    {
      url: args.url ?? url,
      maxAmount: { amount: args.amount ?? "0.01", token: "USDC" },
      idempotencyKey: args.idempotencyKey,
    },
    ctx,
  );

async function conflict(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClientError);
  expect(error).toMatchObject({ code: "idempotency_conflict", status: 422, kind: "invalid" });
}

async function runsUnder(key: string): Promise<number> {
  const rows = await testDb.db
    .selectFrom("runs")
    .select("id")
    .where("idempotency_key", "=", `${ctx.principal.keyId}:${key}`)
    .execute();
  return rows.length;
}

describe("MCP idempotency keys", () => {
  test("behavior: pay_x402 replays its run for the same request and refuses another URL or amount", async () => {
    const first = await pay({ idempotencyKey: "pay-1" });
    expect(first.structured.replayed).toBeUndefined();
    const again = await pay({ idempotencyKey: "pay-1" });
    expect(again.structured).toMatchObject({ runId: first.structured.runId, replayed: true });

    await conflict(pay({ url: "https://93.184.215.14/b", idempotencyKey: "pay-1" }));
    await conflict(pay({ amount: "5", idempotencyKey: "pay-1" }));
    expect(await runsUnder("pay-1")).toBe(1);
  }, 60_000);

  test("behavior: run_command under a pay_x402 key is a conflict, not the payment run", async () => {
    await pay({ idempotencyKey: "shared-1" });
    await conflict(
      runCommandTool.handler({ command: "check my balance", idempotencyKey: "shared-1" }, ctx),
    );
    // And the other way round.
    const command = await runCommandTool.handler(
      { command: "check my balance", idempotencyKey: "shared-2" },
      ctx,
    );
    expect(command.structured.replayed).toBeUndefined();
    await conflict(pay({ idempotencyKey: "shared-2" }));
    const again = await runCommandTool.handler(
      { command: "check my balance", idempotencyKey: "shared-2" },
      ctx,
    );
    expect(again.structured).toMatchObject({ runId: command.structured.runId, replayed: true });
  }, 60_000);

  test("behavior: an identical startRun under a used key answers the same run (created: false)", async () => {
    const parameters = {
      principal: ctx.principal,
      command: "check my balance",
      budget: { amount: 1_000_000n, token: "USDC" as const },
      approvalThresholdUsd: "5",
      idempotencyKey: "start-1",
    };
    const first = await startRun(testDb.db, parameters);
    expect(first.created).toBe(true);
    const again = await startRun(testDb.db, parameters);
    expect(again).toMatchObject({ created: false, run: { id: first.run.id } });
    // The session named, the budget or the threshold are part of the request too.
    await conflict(startRun(testDb.db, { ...parameters, sessionId: first.run.session_id }));
    await conflict(
      startRun(testDb.db, { ...parameters, budget: { amount: 2_000_000n, token: "USDC" } }),
    );
    await conflict(startRun(testDb.db, { ...parameters, approvalThresholdUsd: "6" }));
  }, 60_000);

  test("behavior: an MCP key that spells a REST key (operation:key) answers only the same request", async () => {
    // REST passes `${operationId}:${Idempotency-Key}` to startRun; MCP passes the key as given.
    const rest = await startRun(testDb.db, {
      principal: ctx.principal,
      command: "check my balance",
      idempotencyKey: "executeCommand:order-1",
    });
    await conflict(
      runCommandTool.handler(
        { command: "swap 1 CRO for USDC", idempotencyKey: "executeCommand:order-1" },
        ctx,
      ),
    );
    const same = await runCommandTool.handler(
      { command: "check my balance", idempotencyKey: "executeCommand:order-1" },
      ctx,
    );
    expect(same.structured).toMatchObject({ runId: rest.run.id, replayed: true });
  }, 60_000);

  test("behavior: a run stored without a fingerprint (before this check) is answered as before", async () => {
    const first = await runCommandTool.handler(
      { command: "check my balance", idempotencyKey: "old-1" },
      ctx,
    );
    await sql`update runs set options = options - 'requestFingerprint' where id = ${first.structured.runId}`.execute(
      testDb.db,
    );
    const again = await runCommandTool.handler(
      { command: "swap 1 CRO for USDC", idempotencyKey: "old-1" },
      ctx,
    );
    expect(again.structured).toMatchObject({ runId: first.structured.runId, replayed: true });
  }, 60_000);
});
