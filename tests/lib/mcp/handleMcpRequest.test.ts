import { createMCPClient } from "@ai-sdk/mcp";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callTool, connectMcp, createKey, createPolicy } from "../../helpers/mcp.js";
import { useHostProcess } from "../../helpers/useHostProcess.js";

const host = useHostProcess({ database: "postgres" });
let agentKey: string;
let agent: Client;
let admin: Client;
let database: pg.Client;

beforeAll(async () => {
  agentKey = await createKey(host, "agent");
  [agent, admin] = await Promise.all([connectMcp(host, agentKey), connectMcp(host, host.apiKey)]);
  database = new pg.Client({ connectionString: host.env.DATABASE_URL });
  await database.connect();
}, 240_000);

afterAll(async () => {
  await Promise.all([agent?.close(), admin?.close(), database?.end()]);
});

const waitUntilDone = async (client: Client, runId: string) => {
  for (let i = 0; i < 10; i++) {
    const result = await callTool(client, "get_run", { runId, waitSeconds: 25 });
    if (["completed", "failed", "cancelled"].includes(result.structuredContent.status))
      return result;
  }
  throw new Error(`run ${runId} did not end`);
};

/** One JSON-RPC body POSTed to the host's /api/mcp with the agent key, as an MCP client sends it. */
function postRpc(body: object): Promise<Response> {
  return fetch(`${host.url}/api/mcp`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${agentKey}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify(body),
  });
}
describe("/api/mcp", () => {
  test("error: refused without a key: 401, WWW-Authenticate pointing at the RFC 9728 document", async () => {
    const response = await fetch(`${host.url}/api/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer /);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBe(`${host.url}/api/oauth-protected-resource`);
    const body = await response.json();
    expect(body.resource).toBe(`${host.url}/api/mcp`);

    // The same document at the URL the challenge names and at RFC 9728's well-known path.
    for (const url of [metadataUrl!, `${host.url}/.well-known/oauth-protected-resource/api/mcp`]) {
      const metadata = await fetch(url);
      expect(metadata.status).toBe(200);
      expect(await metadata.json()).toMatchObject({
        resource: `${host.url}/api/mcp`,
        bearer_methods_supported: ["header"],
      });
    }

    const wrong = await fetch(`${host.url}/api/mcp`, {
      method: "POST",
      headers: {
        authorization: "Bearer pgk_not_a_real_key_at_all",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"');

    // The official client cannot even initialize without one.
    await expect(connectMcp(host, "")).rejects.toThrow();
  });

  test("error: malformed tools/call requests are JSON-RPC -32602 with one readable line, never a zod dump", async () => {
    const rpc = async (body: object) => {
      const response = await postRpc(body);
      return { status: response.status, body: await response.json() };
    };
    const noParams = await rpc({ jsonrpc: "2.0", id: 1, method: "tools/call" });
    expect(noParams).toEqual({
      status: 200,
      body: {
        jsonrpc: "2.0",
        id: 1,
        error: {
          code: -32602,
          message: "Invalid params for tools/call: params is missing (expected an object)",
        },
      },
    });
    const notAnObject = await rpc({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "list_runs", arguments: "x" },
    });
    expect(notAnObject.status).toBe(200);
    expect(notAnObject.body.error).toEqual({
      code: -32602,
      message: "Invalid params for tools/call: params.arguments must be an object",
    });
  });

  test("error: a NUL character is answered in JSON-RPC: a tool's invalid input, or an unknown method or tool, never a database error", async () => {
    const post = async (message: Record<string, unknown>) => {
      const response = await postRpc({ jsonrpc: "2.0", id: 1, ...message });
      const text = await response.text();
      // Whatever the answer, the caller reads nothing of the database.
      expect(text).not.toMatch(/UTF8|byte sequence|0x00|"fatal"|Internal error/);
      // An MCP client reads a JSON-RPC answer, not a REST refusal it cannot parse.
      expect(response.status).toBe(200);
      return JSON.parse(text);
    };
    const calls: [string, Record<string, unknown>][] = [
      ["run_command", { command: "what's my balance\u0000" }],
      ["list_runs", { cursor: "run_\u0000" }],
      [
        "pay_x402",
        {
          url: `${host.url}/api/demo/mcp`,
          tool: { name: "market_price", arguments: { pair: "CRO\u0000USDC" } },
          maxAmount: { amount: "0.20", token: "USDC" },
        },
      ],
    ];
    for (const [name, args] of calls) {
      const { result } = await post({ method: "tools/call", params: { name, arguments: args } });
      expect(result.isError).toBe(true);
      expect(result.structuredContent.error).toMatchObject({
        kind: "invalid",
        code: "validation_failed",
      });
      expect(result.content[0].text).toContain("must not contain a NUL character");
    }
    const unknownTool = await post({
      method: "tools/call",
      params: { name: "run_\u0000command", arguments: {} },
    });
    expect(unknownTool.result.isError).toBe(true);
    expect(unknownTool.result.content[0].text).toMatch(/not found/);
    const unknownMethod = await post({ method: "tools/ca\u0000ll", params: {} });
    expect(unknownMethod.error.code).toBe(-32601);
    const listed = await post({ id: "list\u0000", method: "tools/list", params: {} });
    expect(listed.id).toBe("list\u0000");
    expect(listed.result.tools.length).toBeGreaterThan(0);
  });

  test("behavior: tools are listed by role; an agent key never sees the approver tools", async () => {
    const agentTools = (await agent.listTools()).tools.map((tool) => tool.name);
    expect(agentTools.sort()).toEqual(
      [
        "cancel_run",
        "discover_services",
        "get_balance",
        "get_run",
        "list_runs",
        "pay_x402",
        "quote_x402",
        "run_command",
      ].sort(),
    );
    const adminTools = (await admin.listTools()).tools.map((tool) => tool.name);
    expect(adminTools).toEqual(expect.arrayContaining(["list_approvals", "decide_approval"]));
    expect(adminTools).toHaveLength(10);
    // An approver key decides approvals and does nothing else: no run, no payment, no balance.
    const approver = await connectMcp(host, await createKey(host, "approver"));
    const approverTools = (await approver.listTools()).tools.map((tool) => tool.name);
    expect(approverTools.sort()).toEqual(["decide_approval", "list_approvals"]);
    const refused = await callTool(approver, "run_command", { command: "what's my balance" });
    expect(refused.isError).toBe(true);
    await approver.close();
    const runCommand = (await agent.listTools()).tools.find((tool) => tool.name === "run_command")!;
    // Described for a model, field by field.
    expect(runCommand.inputSchema.properties?.command).toMatchObject({ type: "string" });
    expect(
      (runCommand.inputSchema.properties!.command as { description?: string }).description,
    ).toMatch(/plain language/);

    const hidden = await callTool(agent, "decide_approval", {
      token: "apr_00000000000000000000000000",
      decision: "approve",
    });
    expect(hidden.isError).toBe(true);
  });

  test("behavior: the ai SDK's MCP client (@ai-sdk/mcp) connects with the key and calls a tool", async () => {
    const mcp = await createMCPClient({
      transport: {
        type: "http",
        url: `${host.url}/api/mcp`,
        headers: { authorization: `Bearer ${agentKey}` },
      },
    });
    try {
      const tools = await mcp.tools();
      expect(Object.keys(tools)).toContain("get_balance");
      expect(Object.keys(tools)).not.toContain("decide_approval");
      const result = (await tools.get_balance!.execute!(
        { tokens: ["USDC"] },
        { toolCallId: "t1", messages: [], context: {} },
      )) as { structuredContent?: { balances: { symbol: string }[] } };
      expect(result.structuredContent?.balances[0]?.symbol).toBe("USDC");
    } finally {
      await mcp.close();
    }
  });

  test("behavior: get_balance reads the agent wallet", async () => {
    const result = await callTool(agent, "get_balance", { tokens: ["CRO", "USDC"] });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.balances.map((b: { symbol: string }) => b.symbol)).toEqual([
      "CRO",
      "USDC",
    ]);
    expect(BigInt(result.structuredContent.balances[1].amount)).toBeGreaterThan(0n);
    expect((result.content[0] as { text: string }).text).toMatch(/USDC/);

    const bad = await callTool(agent, "get_balance", { tokens: ["NOPE"] });
    expect(bad.isError).toBe(true);
    expect(bad.structuredContent.error).toMatchObject({ kind: "invalid" });
  });

  test("behavior: discover_services takes its price filter in the one amount form", async () => {
    const names = (result: { structuredContent?: unknown }) =>
      (result.structuredContent as { services: { name: string }[] }).services.map(
        (service) => service.name,
      );
    const cheap = await callTool(agent, "discover_services", {
      category: "market-data",
      maxPrice: { amount: "0.5", token: "USDC" },
    });
    expect(cheap.isError).toBeFalsy();
    expect(names(cheap)).toContain("Market Data API");
    expect((cheap.content[0] as { text: string }).text).toMatch(/Market Data API .*USDC per call/);
    const tooCheap = await callTool(agent, "discover_services", {
      category: "market-data",
      maxPrice: { amount: "0.001", token: "USDC" },
    });
    expect(names(tooCheap)).not.toContain("Market Data API");
    // The old base-unit string is refused, not misread as 500,000 USDC.
    const old = await callTool(agent, "discover_services", { maxPrice: "500000" });
    expect(old.isError).toBe(true);
  });

  test("behavior: run_command is followed to completion through get_run", async () => {
    const started = await callTool(agent, "run_command", { command: "what's my balance" });
    expect(started.isError).toBeFalsy();
    const { runId, status } = started.structuredContent;
    expect(runId).toMatch(/^run_/);
    expect(status).toBe("running");
    const done = await waitUntilDone(agent, runId);
    expect(done.structuredContent).toMatchObject({ id: runId, status: "completed" });
    expect(done.structuredContent.steps[0]).toMatchObject({
      action: "balance",
      status: "completed",
    });

    // The same refusal as REST for an empty command.
    const empty = await callTool(agent, "run_command", { command: "  " });
    expect(empty.isError).toBe(true);
    expect(JSON.stringify(empty.content)).toContain("command must not be empty");
    // A command the grammar refuses is the tool's error, no run, as REST answers 422 (it was an
    // unawaited rejection that took the host down), and the host keeps serving.
    const runsBefore = (await callTool(agent, "list_runs", {})).structuredContent.runs.length;
    const refused = await callTool(agent, "run_command", { command: "please buy me some pizza" });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent.error).toMatchObject({ kind: "invalid" });
    expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
    expect((await callTool(agent, "list_runs", {})).structuredContent.runs.length).toBe(runsBefore);

    // The agent key sees its own runs; another agent key does not.
    const listed = await callTool(agent, "list_runs", {});
    expect(listed.structuredContent.runs.map((r: { id: string }) => r.id)).toContain(runId);
    const stranger = await connectMcp(host, await createKey(host, "agent"));
    const foreign = await callTool(stranger, "get_run", { runId });
    expect(foreign.structuredContent.error).toMatchObject({ kind: "not_found" });
    await stranger.close();
  });

  test("behavior: a paid MCP tool is quoted for free, then paid exactly once through pay_x402, even when retried", async () => {
    const url = `${host.url}/api/demo/mcp`;
    const tool = { name: "market_price", arguments: { pair: "CRO/USDC" } };
    const quote = await callTool(agent, "quote_x402", {
      url,
      tool,
      maxAmount: { amount: "0.20", token: "USDC" },
    });
    expect(quote.structuredContent).toMatchObject({
      paymentRequired: true,
      selected: { amount: "100000" },
      refusal: null,
    });
    const tooCheap = await callTool(agent, "quote_x402", {
      url,
      tool,
      maxAmount: { amount: "0.05", token: "USDC" },
    });
    expect(tooCheap.structuredContent.refusal).toMatch(/above the limit/);

    const payments = async () =>
      (
        await database.query(
          "select id, status, amount, tx_hash, receipt from payments where resource_url = $1",
          [`${url}#market_price`],
        )
      ).rows;
    expect(await payments()).toHaveLength(0);

    const args = {
      url,
      tool,
      maxAmount: { amount: "0.20", token: "USDC" },
      idempotencyKey: "mcp-pay-1",
    };
    const first = await callTool(agent, "pay_x402", args);
    expect(first.isError).toBeFalsy();
    const done = await waitUntilDone(agent, first.structuredContent.runId);
    expect(done.structuredContent.status).toBe("completed");
    const output = done.structuredContent.steps.find(
      (s: { action: string }) => s.action === "pay",
    ).output;
    expect(output).toMatchObject({ amount: "100000", via: "paid" });
    expect(JSON.parse(output.response.body).structuredContent.pair).toBe("CRO/USDC");

    // The agent's retry (same idempotency key) is the same run: nothing is paid again.
    const retry = await callTool(agent, "pay_x402", args);
    expect(retry.structuredContent).toMatchObject({
      runId: first.structuredContent.runId,
      replayed: true,
    });
    const rows = await payments();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "settled", amount: "100000" });
    expect(rows[0].receipt).toMatchObject({ format: "eip712" });
  });

  test("behavior: the session summary's totals equal the payments table exactly; the log lists the runs' events", async () => {
    const first = await callTool(agent, "run_command", { command: "what's my balance" });
    const sessionId = first.structuredContent.sessionId;
    await waitUntilDone(agent, first.structuredContent.runId);
    const paid = [
      {
        url: `${host.url}/api/demo/market-data`,
        maxAmount: { amount: "0.20", token: "USDC" },
        sessionId,
      },
      {
        url: `${host.url}/api/demo/mcp`,
        tool: { name: "gas_price", arguments: {} },
        maxAmount: { amount: "0.20", token: "USDC" },
        sessionId,
      },
      {
        url: `${host.url}/api/demo/chain-stats`,
        maxAmount: { amount: "0.20", token: "USDC" },
        sessionId,
      },
    ];
    const runIds: string[] = [];
    for (const args of paid) {
      const started = await callTool(agent, "pay_x402", args);
      runIds.push(started.structuredContent.runId);
      expect(
        (await waitUntilDone(agent, started.structuredContent.runId)).structuredContent.status,
      ).toBe("completed");
    }

    const summary = await fetch(`${host.url}/api/agent/sessions/${sessionId}/summary`, {
      headers: { authorization: `Bearer ${agentKey}` },
    }).then((r) => r.json());
    const { rows } = await database.query(
      `select asset, count(*)::int as n, sum(amount)::text as amount
         from payments where session_id = $1 and status = 'settled' group by asset`,
      [sessionId],
    );
    expect(rows).toHaveLength(1);
    expect(summary.payments.settled).toEqual([
      expect.objectContaining({
        asset: rows[0].asset,
        symbol: "USDC",
        count: 3,
        amount: rows[0].amount,
      }),
    ]);
    expect(rows[0].amount).toBe("170000"); // 0.10 + 0.02 + 0.05 USDC
    const { rows: receipts } = await database.query(
      "select count(*)::int as n from payments where session_id = $1 and status = 'settled' and receipt is not null",
      [sessionId],
    );
    expect(receipts[0].n).toBe(3); // every demo resource signs one on the devnet
    expect(summary.payments.signedReceipts).toBe(receipts[0].n);
    expect(summary.payments.settled[0].usd).toBe("0.17");
    expect(summary.spendUsd).toBe("0.17");
    expect(summary.runs).toEqual({ total: 4, byStatus: { completed: 4 } });
    expect(summary.topServices).toHaveLength(3);
    expect(summary.topServices.map((s: { resourceUrl: string }) => s.resourceUrl).sort()).toEqual(
      [
        `${host.url}/api/demo/chain-stats`,
        `${host.url}/api/demo/market-data`,
        `${host.url}/api/demo/mcp#gas_price`,
      ].sort(),
    );
    expect(summary.modelTokens).toBe("0");

    const logs = await fetch(`${host.url}/api/logs?sessionId=${sessionId}`, {
      headers: { authorization: `Bearer ${agentKey}` },
    }).then((r) => r.json());
    const accepted = logs.logs.filter((entry: { type: string }) => entry.type === "run.accepted");
    expect(accepted.map((entry: { runId: string }) => entry.runId).sort()).toEqual(
      [first.structuredContent.runId, ...runIds].sort(),
    );
    expect(logs.logs.every((entry: { sessionId: string }) => entry.sessionId === sessionId)).toBe(
      true,
    );
    const one = await fetch(`${host.url}/api/logs/${accepted[0].id}`, {
      headers: { authorization: `Bearer ${agentKey}` },
    }).then((r) => r.json());
    expect(one).toEqual(accepted[0]);
    const errors = await fetch(`${host.url}/api/logs?sessionId=${sessionId}&level=error`, {
      headers: { authorization: `Bearer ${agentKey}` },
    }).then((r) => r.json());
    expect(errors.logs).toEqual([]);
    // Another agent key sees none of it.
    const strangerKey = await createKey(host, "agent");
    const hidden = await fetch(`${host.url}/api/agent/sessions/${sessionId}/summary`, {
      headers: { authorization: `Bearer ${strangerKey}` },
    });
    expect(hidden.status).toBe(404);
    const hiddenLog = await fetch(`${host.url}/api/logs/${accepted[0].id}`, {
      headers: { authorization: `Bearer ${strangerKey}` },
    });
    expect(hiddenLog.status).toBe(404);
  });

  test("behavior: pay_x402 pays within the key's policy and is refused over it, exactly as over REST", async () => {
    // At most 0.06 USDC per action: chain-stats (0.05) fits, market data (0.10) does not.
    const policyId = await createPolicy(host, {
      name: "mcp-small",
      allowedActions: ["pay", "balance"],
      maxPerAction: { amount: "0.06", token: "USDC" },
      approvalThresholdUsd: "10",
    });
    const smallKey = await createKey(host, "agent", policyId);
    const small = await connectMcp(host, smallKey);
    const rows = async (sessionId: string) =>
      (
        await database.query("select status, amount from payments where session_id = $1", [
          sessionId,
        ])
      ).rows;

    const within = await callTool(small, "pay_x402", {
      url: `${host.url}/api/demo/chain-stats`,
      maxAmount: { amount: "0.05", token: "USDC" },
    });
    expect(within.isError).toBeFalsy();
    const paid = await waitUntilDone(small, within.structuredContent.runId);
    expect(paid.structuredContent.status).toBe("completed");
    expect(await rows(within.structuredContent.sessionId)).toEqual([
      { status: "settled", amount: "50000" },
    ]);

    const over = await callTool(small, "pay_x402", {
      url: `${host.url}/api/demo/market-data`,
      maxAmount: { amount: "0.10", token: "USDC" },
    });
    expect(over.isError).toBeFalsy(); // accepted as a run; the policy gate refuses its payment
    const refused = await waitUntilDone(small, over.structuredContent.runId);
    expect(refused.structuredContent.status).toBe("failed");
    expect(JSON.stringify(refused.structuredContent.error)).toMatch(/maxPerAction|per action/i);
    // Refused before anything was signed: no payment row at all.
    expect(await rows(over.structuredContent.sessionId)).toEqual([]);

    // The same payment over REST meets the same refusal.
    const rest = await fetch(`${host.url}/api/payments/x402`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${smallKey}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        url: `${host.url}/api/demo/market-data`,
        maxAmount: { amount: "0.10", token: "USDC" },
      }),
    });
    expect(rest.status).toBe(202);
    const restRun = await waitUntilDone(small, (await rest.json()).runId);
    expect(restRun.structuredContent.status).toBe("failed");
    expect(restRun.structuredContent.error).toEqual(refused.structuredContent.error);
    await small.close();
  });

  test("behavior: get_run returns early when a run needs approval; approver keys decide it through the quorum", async () => {
    const policyId = await createPolicy(host, {
      name: "mcp-quorum",
      allowedActions: ["pay", "balance"],
      approvalThresholdUsd: "0.01",
      approvals: { required: 2, approvers: "any" },
    });
    const held = await connectMcp(host, await createKey(host, "agent", policyId));
    const started = await callTool(held, "pay_x402", {
      url: `${host.url}/api/demo/market-data`,
      maxAmount: { amount: "0.10", token: "USDC" },
    });
    const runId = started.structuredContent.runId;
    const before = Date.now();
    const waiting = await callTool(held, "get_run", { runId, waitSeconds: 25 });
    expect(waiting.structuredContent.status).toBe("waiting_approval");
    expect(Date.now() - before).toBeLessThan(24_000);
    const token = waiting.structuredContent.pendingApprovals[0].token;
    expect((waiting.content[0] as { text: string }).text).toContain(token);

    const [alice, bob] = await Promise.all([
      createKey(host, "approver").then((key) => connectMcp(host, key)),
      createKey(host, "approver").then((key) => connectMcp(host, key)),
    ]);
    const pending = await callTool(alice, "list_approvals", {});
    expect(pending.structuredContent.approvals.map((a: { token: string }) => a.token)).toContain(
      token,
    );
    // One of two votes: recorded, the approval stays pending and the run keeps waiting.
    const first = await callTool(alice, "decide_approval", { token, decision: "approve" });
    expect(first.structuredContent).toMatchObject({
      token,
      status: "pending",
      approvals: 1,
      required: 2,
    });
    // One vote per approver: the same vote again counts once, a different one is refused.
    const twice = await callTool(alice, "decide_approval", { token, decision: "approve" });
    expect(twice.structuredContent).toMatchObject({ status: "pending", approvals: 1 });
    const turned = await callTool(alice, "decide_approval", { token, decision: "reject" });
    expect(turned.structuredContent.error).toMatchObject({ kind: "conflict" });
    expect((await callTool(held, "get_run", { runId })).structuredContent.status).toBe(
      "waiting_approval",
    );
    const second = await callTool(bob, "decide_approval", { token, decision: "approve" });
    expect(second.structuredContent).toMatchObject({ token, status: "approved", approvals: 2 });
    const late = await callTool(admin, "decide_approval", { token, decision: "reject" });
    expect(late.structuredContent.error).toMatchObject({ kind: "conflict" });

    const done = await waitUntilDone(held, runId);
    expect(done.structuredContent.status).toBe("completed");
    await Promise.all([held.close(), alice.close(), bob.close()]);
  });
});
