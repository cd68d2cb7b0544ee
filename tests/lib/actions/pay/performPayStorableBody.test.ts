import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { performPay } from "../../../../lib/actions/pay/performPay.js";
import { PayAction } from "../../../../lib/actions/pay/schema.js";
import { createChainContext } from "../../../../lib/chain/clients.js";
import type { Run } from "../../../../lib/db/database.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";
import { startX402Fixture, type X402Fixture } from "../../x402/x402Fixture.js";

let fx: X402Fixture;
let db: TestDb;
const SESSION = "ses_pay_storable_body";

beforeAll(async () => {
  [fx, db] = await Promise.all([startX402Fixture(), createTestDb("pg")]);
  await db.db.insertInto("agent_sessions").values({ id: SESSION }).execute();
}, 120_000);
afterAll(async () => {
  await Promise.all([fx?.stop(), db?.dispose()]);
});

describe("performPay and a payee's body", () => {
  test("behavior: a body cut for the run's result in the middle of a surrogate pair is still storable", async () => {
    // 32 KiB is where the result cuts the body: the emoji's two halves straddle the cut.
    const body = `${"a".repeat(32 * 1024 - 1)}😀tail`;
    fx.serve("/test/long-body", () => new Response(body, { status: 200 }));
    const runId = `run_storable_body_${Date.now()}`;
    const run = (await db.db
      .insertInto("runs")
      .values({ id: runId, session_id: SESSION, command: "buy a long answer", status: "running" })
      .returningAll()
      .executeTakeFirstOrThrow()) as Run;
    const action = PayAction.parse({
      type: "pay",
      url: `${fx.baseUrl}/test/long-body`,
      token: "USDC",
      maxAmount: "1000",
    });
    const outcome = await performPay(
      {
        db: db.db,
        run,
        chain: createChainContext({ network: "devnet", rpcUrl: fx.devnet.rpcUrl }),
      },
      action,
      { stepId: `${runId}:0`, index: 0 },
    );

    const response = (outcome.output as { response: { body: string; truncated: boolean } })
      .response;
    expect(response.truncated).toBe(true);
    expect(response.body).toBe(`${"a".repeat(32 * 1024 - 1)}\uFFFD`);
    // What the run records: Postgres refused the half pair in jsonb.
    const stored = await sql<{
      output: unknown;
    }>`select ${JSON.stringify(outcome.output)}::jsonb as output`.execute(db.db);
    expect(stored.rows[0]?.output).toEqual(outcome.output);
  });
});
