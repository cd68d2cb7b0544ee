import { beforeAll, describe, expect, test } from "vitest";
import { POST as EXECUTE } from "../../api/agent/execute.js";
import { PATCH } from "../../api/agent/sessions/[id].js";
import { POST as OPEN } from "../../api/agent/sessions/index.js";
import { createKey } from "../../lib/auth/createKey.js";
import type { Run } from "../../lib/db/database.js";
import { createPolicy } from "../../lib/policy/createPolicy.js";
import { resolvePolicy } from "../../lib/policy/resolvePolicy.js";
import { createPlannerContext } from "../../lib/runs/execute/plannerContext.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

/**
 * A key whose policy sets no approvalThresholdUsd is held, by the planner, to
 * DEFAULT_APPROVAL_THRESHOLD_USD: a command or session may lower that ceiling, never raise it, or
 * an agent could lift the holds the operator set by the default.
 */
const testDb = useScratchProcessDb({
  env: { RATE_LIMIT_PER_MINUTE: "1000", DEFAULT_APPROVAL_THRESHOLD_USD: "10" },
  unset: ["REDIS_URL", "UPSTASH_REDIS_REST_URL", "KV_REST_API_URL", "AUTH_DISABLED"],
});
const keys = { agent: "", admin: "", agentId: "" };
const refusal = (what: string, asked: string): string =>
  `${what} of ${asked} USD is above the deployment's default approval threshold of 10 USD (the key's policy sets no approvalThresholdUsd); a command or session may lower it, never raise it`;

beforeAll(async () => {
  const policy = await createPolicy(testDb.db, {
    name: "no threshold",
    document: { allowedActions: ["balance", "transfer", "pay"] },
  });
  const agent = await createKey(testDb.db, { name: "bot", role: "agent", policyId: policy.id });
  keys.agent = agent.key;
  keys.agentId = agent.id;
  keys.admin = (
    await createKey(testDb.db, { name: "ops", role: "admin", policyId: policy.id })
  ).key;
});

/** The parts of an answer these tests read: a session, or an error. */
interface Answer {
  id?: string;
  approvalThresholdUsd?: string;
  error?: { message: string; hints?: string[] };
}

async function call(
  handler: (request: Request) => Promise<Response>,
  method: string,
  path: string,
  key: string,
  body: unknown,
): Promise<{ status: number; body: Answer }> {
  const response = await handler(
    new Request(`http://localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: (await response.json()) as Answer };
}

const runCount = async (): Promise<number> =>
  Number(
    (
      await testDb.db
        .selectFrom("runs")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("error: without a policy threshold, DEFAULT_APPROVAL_THRESHOLD_USD is the ceiling", () => {
  test("POST /api/agent/execute with a higher approvalThreshold is a 422 and starts nothing", async () => {
    for (const key of [keys.agent, keys.admin]) {
      const raised = await call(EXECUTE, "POST", "/api/agent/execute", key, {
        command: "send 500 USDC to 0x0000000000000000000000000000000000001302",
        approvalThreshold: "1000000",
      });
      expect(raised.status, JSON.stringify(raised.body)).toBe(422);
      expect(raised.body.error?.message).toBe(
        refusal("The command's approvalThreshold", "1000000"),
      );
      expect(raised.body.error?.hints).toEqual(["rule: approvalThresholdUsd"]);
    }
    expect(await runCount()).toBe(0);
  });

  test("POST and PATCH /api/agent/sessions with a higher approvalThreshold are a 422; the default or lower is kept", async () => {
    for (const key of [keys.agent, keys.admin]) {
      const raised = await call(OPEN, "POST", "/api/agent/sessions", key, {
        approvalThreshold: "1000000",
      });
      expect(raised.status, JSON.stringify(raised.body)).toBe(422);
      expect(raised.body.error?.message).toBe(
        refusal("The session's approvalThreshold", "1000000"),
      );

      const atDefault = await call(OPEN, "POST", "/api/agent/sessions", key, {
        approvalThreshold: "10",
      });
      expect(atDefault.status, JSON.stringify(atDefault.body)).toBe(201);
      const opened = await call(OPEN, "POST", "/api/agent/sessions", key, {});
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const patched = await call(
        PATCH,
        "PATCH",
        `/api/agent/sessions/${opened.body.id ?? ""}`,
        key,
        {
          approvalThreshold: "10.5",
        },
      );
      expect(patched.status, JSON.stringify(patched.body)).toBe(422);
      expect(patched.body.error?.message).toBe(refusal("The session's approvalThreshold", "10.5"));
      const lowered = await call(
        PATCH,
        "PATCH",
        `/api/agent/sessions/${opened.body.id ?? ""}`,
        key,
        {
          approvalThreshold: "2",
        },
      );
      expect(lowered.status, JSON.stringify(lowered.body)).toBe(200);
      expect(lowered.body.approvalThresholdUsd).toBe("2");
    }
  });
});

describe("behavior: a run plans under the ceiling whatever its session says", () => {
  test("a session written above the ceiling (before the check existed) plans at the default", async () => {
    const policy = await resolvePolicy(testDb.db, { keyId: keys.agentId });
    const plan = (threshold: string | null, commandThreshold?: string) =>
      createPlannerContext(
        testDb.db,
        { options: commandThreshold ? { approvalThresholdUsd: commandThreshold } : null } as Run,
        {
          id: "session",
          budget_amount: null,
          budget_token: null,
          approval_threshold_usd: threshold,
        },
        [],
        policy,
      );
    expect((await plan("1000000.000000")).approvalThresholdUsd).toBe("10");
    expect((await plan("1000000.000000", "500")).approvalThresholdUsd).toBe("10");
    expect((await plan(null)).approvalThresholdUsd).toBe("10");
    // Lower is kept, from the command first, then the session.
    expect((await plan("2.500000")).approvalThresholdUsd).toBe("2.500000");
    expect((await plan("2.500000", "1")).approvalThresholdUsd).toBe("1");
  });
});
