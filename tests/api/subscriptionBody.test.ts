import { beforeAll, describe, expect, test } from "vitest";
import { POST } from "../../api/subscriptions/index.js";
import { createKey } from "../../lib/auth/createKey.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

/**
 * POST /api/subscriptions refuses fields it does not know, like every other body: a `maxPrice`
 * the route has no such thing as must not be dropped while the subscription pays the full price.
 */
const testDb = useScratchProcessDb();
let agentKey: string;

beforeAll(async () => {
  agentKey = (await createKey(testDb.db, { name: "bot", role: "agent" })).key;
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
