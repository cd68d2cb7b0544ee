import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChainContext } from "../../../../lib/chain/clients.js";
import { route } from "../../../../lib/http/route.js";
import { payMcpTool } from "../../../../lib/mcp/client/payMcpTool.js";
import { serveStatelessMcp } from "../../../../lib/mcp/serveStatelessMcp.js";
import { PaymentVoidedError } from "../../../../lib/x402/errors.js";
import { deriveNonce } from "../../../../lib/x402/nonce.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";
import { startX402Fixture, type X402Fixture } from "../../x402/x402Fixture.js";

let fx: X402Fixture;
let db: TestDb;
const SESSION = "ses_mcp_nul_test";
const PATH = "/test/nul-mcp";

beforeAll(async () => {
  [fx, db] = await Promise.all([startX402Fixture(), createTestDb("pg")]);
  await db.db.insertInto("agent_sessions").values({ id: SESSION }).execute();
}, 120_000);
afterAll(async () => {
  await Promise.all([fx?.stop(), db?.dispose()]);
});

describe("payMcpTool and a payee's NUL", () => {
  test("error: a paid MCP tool that refuses with a NUL (and a lone surrogate) in its reason is flagged and cancelled like any refusing payee", async () => {
    const required = {
      x402Version: 2,
      error: "Payment required",
      resource: { url: `${fx.baseUrl}${PATH}#market_price` },
      accepts: [
        {
          scheme: "exact",
          network: `eip155:${fx.devnet.chainId}`,
          amount: "10000",
          asset: fx.usdc,
          payTo: fx.devnet.accounts.merchant.address,
          maxTimeoutSeconds: 120,
          extra: { name: "Paygent USD", version: "2" },
        },
      ],
    };
    let paidCalls = 0;
    fx.serve(
      PATH,
      route(PATH, (request) => {
        const server = new McpServer({ name: "nul", version: "1.0.0" });
        server.registerTool("market_price", { description: "nul" }, async (extra) => {
          // Keeps the signed payment and asks again, its reason holding NUL and half a pair.
          const again = extra._meta?.["x402/payment"]
            ? { ...required, error: "refused\u0000 by\uD800payee" }
            : required;
          if (again !== required) paidCalls++;
          return {
            isError: true,
            structuredContent: again,
            content: [{ type: "text", text: JSON.stringify(again) }],
          };
        });
        return serveStatelessMcp(server, request);
      }),
    );
    const runId = `run_mcp_nul_${Date.now()}`;
    await db.db
      .insertInto("runs")
      .values({
        id: runId,
        session_id: SESSION,
        command: "call a paid MCP tool",
        status: "running",
      })
      .execute();
    const before = await fx.usdcBalance(fx.agent.address);
    const error = await payMcpTool({
      db: db.db,
      runId,
      stepId: "step_1",
      sessionId: SESSION,
      serverUrl: `${fx.baseUrl}${PATH}`,
      tool: { name: "market_price", arguments: {} },
      maxAmount: 1_000_000n,
      allowedAssets: fx.allowedAssets,
      account: fx.agent,
      publicClient: fx.publicClient,
      chain: createChainContext({ network: "devnet", rpcUrl: fx.devnet.rpcUrl }),
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PaymentVoidedError);
    expect((error as PaymentVoidedError).outcome).toBe("cancelled");
    const row = await db.db
      .selectFrom("payments")
      .selectAll()
      .where("nonce", "=", deriveNonce({ runId, stepId: "step_1" }))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "cancelled", payee_failed: true });
    expect(row.cancel_tx_hash).not.toBeNull();
    expect(row.error).toContain("refused\uFFFD by\uFFFDpayee");
    expect(paidCalls).toBe(1);
    expect(await fx.usdcBalance(fx.agent.address)).toBe(before);
  });
});
