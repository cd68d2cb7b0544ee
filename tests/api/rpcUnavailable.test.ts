import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PATCH } from "../../api/agent/sessions/[id].js";
import { POST as OPEN } from "../../api/agent/sessions/index.js";
import { POST as MCP } from "../../api/mcp.js";
import { createKey } from "../../lib/auth/createKey.js";
import { resetChainContext } from "../../lib/chain/clients.js";
import { freePort } from "../helpers/devnet.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

/**
 * With the chain RPC down, a route that prices through the chain (a CRO limit valued against the
 * key's policy) answers 503 with Retry-After, as a retry may succeed, never a 500 — and the answer
 * does not give the RPC's URL away.
 */
let rpcUrl = "";
const testDb = useScratchProcessDb({
  env: async () => {
    // Nothing listens there: every RPC call is refused (ECONNREFUSED).
    rpcUrl = `http://127.0.0.1:${await freePort()}`;
    return { RATE_LIMIT_PER_MINUTE: "100000", PAYGENT_NETWORK: "devnet", RPC_URL: rpcUrl };
  },
  unset: ["REDIS_URL", "UPSTASH_REDIS_REST_URL", "KV_REST_API_URL", "AUTH_DISABLED"],
});
let agentKey: string;

beforeAll(async () => {
  resetChainContext();
  agentKey = (await createKey(testDb.db, { name: "bot", role: "agent" })).key;
});
afterAll(() => resetChainContext());

async function call(
  handler: (request: Request) => Promise<Response>,
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; retryAfter: string | null; text: string }> {
  const response = await handler(
    new Request(`http://localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${agentKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    text: await response.text(),
  };
}

function expectUnavailable(answer: { status: number; retryAfter: string | null; text: string }) {
  expect(answer.status, answer.text).toBe(503);
  expect(answer.retryAfter).toMatch(/^\d+$/);
  const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("service_unavailable");
  expect(body.error.message).toMatch(/chain RPC/);
  expect(answer.text).not.toContain(rpcUrl.replace("http://", ""));
}

describe("error: the chain RPC down is a 503 with Retry-After", () => {
  test("POST /api/agent/sessions with a CRO budget", async () => {
    expectUnavailable(
      await call(OPEN, "POST", "/api/agent/sessions", { budget: { amount: "1", token: "CRO" } }),
    );
  });

  test("PATCH /api/agent/sessions/{id} with a CRO budget or dailyLimit", async () => {
    // A USD budget needs no price: the session opens with the RPC down.
    const opened = await call(OPEN, "POST", "/api/agent/sessions", {
      budget: { amount: "10", token: "USD" },
    });
    expect(opened.status, opened.text).toBe(201);
    const { id } = JSON.parse(opened.text) as { id: string };
    for (const body of [
      { budget: { amount: "1", token: "CRO" } },
      { dailyLimit: { amount: "1", token: "CRO" } },
    ]) {
      expectUnavailable(await call(PATCH, "PATCH", `/api/agent/sessions/${id}`, body));
    }
  });
});

describe("error: over MCP the chain RPC down is a transient tool error, as REST's 503", () => {
  test("get_balance answers kind transient, code service_unavailable, and no RPC URL", async () => {
    const response = await MCP(
      new Request("http://localhost/api/mcp", {
        method: "POST",
        headers: {
          authorization: `Bearer ${agentKey}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "get_balance", arguments: {} },
        }),
      }),
    );
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const { result } = JSON.parse(text) as {
      result: { isError?: boolean; structuredContent?: { error: Record<string, unknown> } };
    };
    expect(result.isError).toBe(true);
    expect(result.structuredContent?.error).toMatchObject({
      kind: "transient",
      code: "service_unavailable",
    });
    expect(result.structuredContent?.error.message).toMatch(/chain RPC/);
    expect(text).not.toContain(rpcUrl.replace("http://", ""));
  });
});
