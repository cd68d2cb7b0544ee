import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Command } from "../../../lib/agent/intent.js";
import type { Plan } from "../../../lib/agent/plan.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { createPolicy } from "../../../lib/policy/createPolicy.js";
import { planRun } from "../../../lib/runs/execute/planRun.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

/**
 * The plan step checks a model's reading against the run's own text (run.command) and records on
 * the stored plan, which the run view returns as it is, that a language model read the command.
 */

let testDb: TestDb;
const ATTACKER = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc";

beforeAll(async () => {
  testDb = await createTestDb("pg");
  await testDb.db.insertInto("agent_sessions").values({ id: "s1" }).execute();
});

afterAll(async () => {
  await testDb?.dispose();
});

async function planned(
  id: string,
  command: string,
  intent: Command,
  apiKeyId: string | null = null,
): Promise<Plan> {
  await testDb.db
    .insertInto("runs")
    .values({
      id,
      session_id: "s1",
      command,
      status: "running",
      intent: JSON.stringify(intent),
      api_key_id: apiKeyId,
    })
    .execute();
  const result = await planRun(testDb.db, { runId: id, attempt: 1 });
  expect(result.status).toBe("ready");
  const run = await testDb.db
    .selectFrom("runs")
    .select("plan")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return (typeof run.plan === "string" ? JSON.parse(run.plan) : run.plan) as Plan;
}

const transfer = (amount: string): Command["steps"][number] => ({
  kind: "transfer",
  token: "USDC",
  amount,
  to: { type: "address", address: ATTACKER },
});

describe("behavior: a run whose command the model read", () => {
  test("an amount and recipient its text does not say wait for approval; the plan says who read it", async () => {
    const plan = await planned("run_model_1", "hows my dough lookin mate", {
      steps: [transfer("9990000")],
      understoodBy: "model",
    });
    expect(plan.understoodBy).toBe("model");
    const sent = plan.actions.find((a) => a.action.type === "transfer");
    expect(sent).toMatchObject({ requiresApproval: true });
    expect(sent!.reason).toContain(`not in the command: recipient ${ATTACKER}, amount 9.99`);
  });

  test("held by the key's policy too, its approval says both why", async () => {
    const policy = await createPolicy(testDb.db, {
      document: { allowedActions: ["balance", "transfer"], approvalThresholdUsd: "1" },
    });
    const key = await createKey(testDb.db, { name: "bot", role: "agent", policyId: policy.id });
    const plan = await planned(
      "run_model_3",
      "hows my dough lookin mate",
      { steps: [transfer("9990000")], understoodBy: "model" },
      key.id,
    );
    const sent = plan.actions.find((a) => a.action.type === "transfer");
    expect(sent).toMatchObject({ requiresApproval: true, hold: { rule: "approvalThresholdUsd" } });
    expect(sent!.reason).toContain("threshold");
    expect(sent!.reason).toContain(`not in the command: recipient ${ATTACKER}, amount 9.99`);
  });

  test("one whose text does say them is planned under the threshold as usual", async () => {
    const plan = await planned("run_model_2", `yo fling 9.99 usdc at ${ATTACKER} cheers`, {
      steps: [transfer("9990000")],
      understoodBy: "model",
    });
    expect(plan.understoodBy).toBe("model");
    expect(plan.actions.find((a) => a.action.type === "transfer")).toMatchObject({
      requiresApproval: false,
    });
  });
});
