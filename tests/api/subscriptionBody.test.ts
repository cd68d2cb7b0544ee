import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { POST } from "../../api/subscriptions/index.js";
import { createKey } from "../../lib/auth/createKey.js";
import { closeCache } from "../../lib/cache/index.js";
import { resetConfig } from "../../lib/config.js";
import { closeDb } from "../../lib/db/index.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

/**
 * POST /api/subscriptions refuses fields it does not know, like every other body: a `maxPrice`
 * the route has no such thing as must not be dropped while the subscription pays the full price.
 */
let testDb: TestDb;
let agentKey: string;
const saved = { ...process.env };

beforeAll(async () => {
  testDb = await createTestDb("pg");
  process.env.DATABASE_URL = testDb.url;
  resetConfig();
  await closeDb();
  await closeCache();
  agentKey = (await createKey(testDb.db, { name: "bot", role: "agent" })).key;
});

afterAll(async () => {
  await closeDb();
  await closeCache();
  process.env = saved;
  resetConfig();
  await testDb?.dispose();
});

describe("POST /api/subscriptions", () => {
  test("error: an unknown field (maxPrice) is 400 naming it; nothing starts", async () => {
    const answer = await POST(
      new Request("http://localhost/api/subscriptions", {
        method: "POST",
        headers: { authorization: `Bearer ${agentKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          serviceId: "svc_market_data",
          period: "daily",
          maxPrice: { amount: "0.01", token: "USDC" },
        }),
      }),
    );
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.message).toContain("maxPrice");
    expect(await testDb.db.selectFrom("runs").select("id").execute()).toEqual([]);
    expect(await testDb.db.selectFrom("agent_sessions").select("id").execute()).toEqual([]);
  });
});
