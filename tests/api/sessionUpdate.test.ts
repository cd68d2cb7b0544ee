import { beforeAll, describe, expect, test } from "vitest";
import { PATCH } from "../../api/agent/sessions/[id].js";
import { POST as OPEN } from "../../api/agent/sessions/index.js";
import { createApiKey } from "../../lib/auth/apiKeys.js";
import { createKey } from "../../lib/auth/createKey.js";
import { createPolicy } from "../../lib/policy/createPolicy.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

/** PATCH /api/agent/sessions/{id}: a session's limits can be lowered, never raised (issue 20). */
const testDb = useScratchProcessDb({
  env: { RATE_LIMIT_PER_MINUTE: "1000", DEFAULT_APPROVAL_THRESHOLD_USD: "10" },
  unset: ["REDIS_URL", "UPSTASH_REDIS_REST_URL", "KV_REST_API_URL", "AUTH_DISABLED"],
});
const keys = { admin: "", agent: "", other: "", capped: "" };

beforeAll(async () => {
  keys.admin = (await createApiKey(testDb.db, { name: "root", scope: "admin" })).key;
  keys.agent = (await createApiKey(testDb.db, { name: "bot", scope: "sessions" })).key;
  keys.other = (await createApiKey(testDb.db, { name: "other", scope: "sessions" })).key;
  const policy = await createPolicy(testDb.db, {
    name: "100 a day",
    document: {
      allowedActions: ["pay"],
      windows: [{ period: "day", amount: "100", token: "USD" }],
    },
  });
  keys.capped = (
    await createKey(testDb.db, { name: "capped", role: "agent", policyId: policy.id })
  ).key;
});

const call = async (
  handler: (request: Request) => Promise<Response>,
  method: string,
  path: string,
  key: string,
  body: unknown,
) => {
  const response = await handler(
    new Request(`http://localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: await response.json() };
};

async function openSession(key: string): Promise<string> {
  const opened = await call(OPEN, "POST", "/api/agent/sessions", key, {
    budget: { amount: "10", token: "USD" },
    approvalThreshold: "5",
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  // The threshold comes back as written ("5"), not as the stored numeric(20, 6) text ("5.000000").
  expect(opened.body.approvalThresholdUsd).toBe("5");
  return opened.body.id as string;
}

describe("session update", () => {
  test("behavior: an agent lowers its budget and threshold; the session keeps them", async () => {
    const id = await openSession(keys.agent);
    const lowered = await call(PATCH, "PATCH", `/api/agent/sessions/${id}`, keys.agent, {
      budget: { amount: "4", token: "USD" },
      approvalThreshold: "1.5",
    });
    expect(lowered.status, JSON.stringify(lowered.body)).toBe(200);
    expect(lowered.body).toMatchObject({
      id,
      budget: { amount: "4", token: "USD", baseUnits: "4000000", formatted: "4 USD" },
      approvalThresholdUsd: "1.5",
    });
    // A daily limit where there was none also tightens.
    const daily = await call(PATCH, "PATCH", `/api/agent/sessions/${id}`, keys.agent, {
      dailyLimit: { amount: "2", token: "USD" },
    });
    expect(daily.status).toBe(200);
    expect(daily.body.dailyLimit).toMatchObject({
      amount: "2",
      token: "USD",
      baseUnits: "2000000",
    });
  });

  test("error: raising a limit is a 422 for every role, and changes nothing", async () => {
    const id = await openSession(keys.agent);
    for (const [key, body] of [
      [keys.agent, { budget: { amount: "11", token: "USD" } }],
      [keys.agent, { approvalThreshold: "5.01" }],
      [keys.admin, { budget: { amount: "20", token: "USD" } }],
    ] as const) {
      const raised = await call(PATCH, "PATCH", `/api/agent/sessions/${id}`, key, body);
      expect(raised.status, JSON.stringify(raised.body)).toBe(422);
      expect(raised.body.error.message).toMatch(/can only be lowered/);
    }
    // Said in the caller's terms, never in base units.
    const raisedBudget = await call(PATCH, "PATCH", `/api/agent/sessions/${id}`, keys.agent, {
      budget: { amount: "11", token: "USD" },
    });
    expect(raisedBudget.body.error.message).toMatch(/^budget would rise from 10 to 11 USD:/);
    const unchanged = await testDb.db
      .selectFrom("agent_sessions")
      .select(["budget_amount", "approval_threshold_usd"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(unchanged).toEqual({ budget_amount: "10000000", approval_threshold_usd: "5.000000" });
  });

  test("error: another key's session is a 404 that names no session; an empty body is a 400", async () => {
    const id = await openSession(keys.agent);
    const foreign = await call(PATCH, "PATCH", `/api/agent/sessions/${id}`, keys.other, {
      approvalThreshold: "1",
    });
    expect(foreign.status).toBe(404);
    const empty = await call(PATCH, "PATCH", `/api/agent/sessions/${id}`, keys.agent, {});
    expect(empty.status).toBe(400);
  });

  test("error: a limit above the key's policy is a 422 naming the field sent", async () => {
    const daily = await call(OPEN, "POST", "/api/agent/sessions", keys.capped, {
      dailyLimit: { amount: "500", token: "USD" },
    });
    expect(daily.status, JSON.stringify(daily.body)).toBe(422);
    expect(daily.body.error.message).toBe(
      "The session's dailyLimit of 500 USD is above the policy's window of 100 USD per day (windows[0]); a command or session may lower the policy's limits, never raise them",
    );
    const budget = await call(OPEN, "POST", "/api/agent/sessions", keys.capped, {
      budget: { amount: "500", token: "USD" },
    });
    expect(budget.status).toBe(422);
    expect(budget.body.error.message).toMatch(/^The session's budget of 500 USD is above/);
    // Lowering a session's limits is held to the same policy, with the same words.
    const opened = await call(OPEN, "POST", "/api/agent/sessions", keys.capped, {
      budget: { amount: "50", token: "USD" },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const patched = await call(
      PATCH,
      "PATCH",
      `/api/agent/sessions/${opened.body.id}`,
      keys.capped,
      {
        dailyLimit: { amount: "500", token: "USD" },
      },
    );
    expect(patched.status).toBe(422);
    expect(patched.body.error.message).toMatch(/^The session's dailyLimit of 500 USD is above/);
  });

  test("error: a session's approvalThreshold above the key's policy is named as the session's", async () => {
    // keys.agent has no policy of its own: the operator default's approvalThresholdUsd (10) holds.
    const expected =
      "The session's approvalThreshold of 50 USD is above the policy's approvalThresholdUsd of 10 USD; a command or session may lower it, never raise it";
    const opened = await call(OPEN, "POST", "/api/agent/sessions", keys.agent, {
      approvalThreshold: "50",
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(422);
    expect(opened.body.error.message).toBe(expected);
    const id = await openSession(keys.agent);
    const patched = await call(PATCH, "PATCH", `/api/agent/sessions/${id}`, keys.agent, {
      approvalThreshold: "50",
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(422);
    expect(patched.body.error.message).toBe(expected);
  });
});
