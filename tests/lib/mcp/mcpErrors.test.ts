import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Kysely } from "kysely";
import { HttpRequestError, TimeoutError } from "viem";
import { afterEach, describe, expect, test, vi } from "vitest";
import { z } from "zod";
import type { Database } from "../../../lib/db/database.js";
import { BaseError, ClientError, ServiceUnavailableError } from "../../../lib/errors/index.js";
import { log } from "../../../lib/log.js";
import { createMcpServer } from "../../../lib/mcp/createMcpServer.js";
import { defineTool } from "../../../lib/mcp/defineTool.js";
import { serveStatelessMcp } from "../../../lib/mcp/serveStatelessMcp.js";

/** A tool that throws what its argument names, or echoes it. */
const failures: Record<string, () => unknown> = {
  fatal: () => new BaseError('invalid byte sequence for encoding "UTF8": 0x00'),
  foreign: () => new Error('relation "runs" does not exist (10.0.0.5:5432 password=hunter2)'),
  // A refused connection may pass on a retry: transient, as REST answers it (lib/http/errors.ts).
  refusedConnection: () => new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2"),
  invalid: () =>
    new BaseError("amount has too many decimals", {
      kind: "invalid",
      metaMessages: ["USDC has 6 decimals"],
    }),
  not_found: () => new ClientError("not_found", "Run run_123 not found"),
  refused: () => new BaseError("over the session budget", { kind: "refused" }),
  transient: () => new ServiceUnavailableError("The database is unavailable; retry shortly"),
  // viem raises an RPC that did not answer without a Paygent kind; its message names the URL.
  rpcDown: () =>
    new HttpRequestError({
      url: "https://rpc.example/v1/secret-api-key",
      cause: new TypeError("fetch failed"),
    }),
  rpcTimeout: () => new TimeoutError({ body: {}, url: "https://rpc.example/v1/secret-api-key" }),
  // An answer the RPC did give (a 4xx) is no outage: still internal.
  rpcRefused: () =>
    new HttpRequestError({ url: "https://rpc.example/v1/secret-api-key", status: 400 }),
};
const handled: unknown[] = [];
const echo = defineTool(
  {
    name: "echo",
    description: "echo",
    inputSchema: z.object({
      text: z.string(),
      extra: z.record(z.string(), z.unknown()).optional(),
    }),
    roles: ["agent"],
  },
  async (args) => {
    handled.push(args);
    const failure = failures[args.text];
    if (failure) throw failure();
    return { structured: { text: args.text }, text: args.text };
  },
);

async function post(body: unknown) {
  const request = new Request("http://localhost/api/mcp", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify(body),
  });
  const server = createMcpServer({
    db: {} as Kysely<Database>,
    principal: { keyId: "key_test", role: "agent", scope: "sessions" },
    request,
    tools: [echo],
  });
  const response = await serveStatelessMcp(server, request);
  return { status: response.status, body: await response.json() };
}

/**
 * Calls the echo tool through the official client on an in-memory transport: the server's own
 * handling of arguments and errors, whatever the HTTP body reader refuses first.
 */
async function call(args: Record<string, unknown>) {
  const server = createMcpServer({
    db: {} as Kysely<Database>,
    principal: { keyId: "key_test", role: "agent", scope: "sessions" },
    request: new Request("http://localhost/api/mcp"),
    tools: [echo],
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "test", version: "0.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  try {
    return (await client.callTool({ name: "echo", arguments: args })) as {
      isError?: boolean;
      content: unknown;
      structuredContent?: Record<string, unknown>;
    };
  } finally {
    await client.close();
    await server.close();
  }
}

afterEach(() => {
  handled.length = 0;
  vi.restoreAllMocks();
});

describe("MCP tool errors", () => {
  test("error: a fatal error answers a generic message; its details go only to the server log", async () => {
    const logged = vi.spyOn(log, "error").mockImplementation(() => {});
    for (const text of ["fatal", "foreign"]) {
      const result = await call({ text });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toEqual({
        error: { kind: "fatal", message: "Internal error" },
      });
      expect(result.content).toEqual([{ type: "text", text: "Internal error" }]);
      expect(JSON.stringify(result)).not.toMatch(/UTF8|0x00|relation|hunter2|5432/);
    }
    expect(logged).toHaveBeenCalledTimes(2);
    expect(logged.mock.calls[0]![1]).toMatchObject({ tool: "echo" });
  });

  test("error: the caller's own failures show their message and hints, as REST does", async () => {
    expect((await call({ text: "invalid" })).structuredContent).toEqual({
      error: {
        kind: "invalid",
        message: "amount has too many decimals",
        hints: ["USDC has 6 decimals"],
      },
    });
    expect((await call({ text: "not_found" })).structuredContent).toEqual({
      error: { kind: "not_found", code: "not_found", message: "Run run_123 not found" },
    });
    const refused = await call({ text: "refused" });
    expect(refused.structuredContent).toEqual({
      error: { kind: "refused", message: "over the session budget" },
    });
    expect(refused.content).toEqual([{ type: "text", text: "over the session budget" }]);
    vi.spyOn(log, "warn").mockImplementation(() => {});
    expect((await call({ text: "transient" })).structuredContent).toEqual({
      error: {
        kind: "transient",
        code: "service_unavailable",
        message: "The database is unavailable; retry shortly",
      },
    });
  });

  test("error: an RPC that did not answer is transient, as REST's 503, and never names the URL", async () => {
    const warned = vi.spyOn(log, "warn").mockImplementation(() => {});
    const logged = vi.spyOn(log, "error").mockImplementation(() => {});
    const message = "An upstream service (such as the chain RPC) did not answer; retry later";
    for (const text of ["rpcDown", "rpcTimeout", "refusedConnection"]) {
      const result = await call({ text });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toEqual({
        error: { kind: "transient", code: "service_unavailable", message },
      });
      expect(result.content).toEqual([{ type: "text", text: message }]);
      expect(JSON.stringify(result)).not.toMatch(
        /rpc\.example|secret-api-key|ECONNREFUSED|hunter2/,
      );
    }
    expect(warned).toHaveBeenCalledTimes(3);
    const refused = await call({ text: "rpcRefused" });
    expect(refused.structuredContent).toEqual({
      error: { kind: "fatal", message: "Internal error" },
    });
    expect(logged).toHaveBeenCalledTimes(1);
  });

  test("error: arguments holding a NUL character are refused as invalid before the handler runs", async () => {
    for (const [args, where] of [
      [{ text: "a\u0000b" }, "text"],
      [{ text: "ok", extra: { deep: ["x", "y\u0000"] } }, "extra.deep.1"],
      [{ text: "ok", extra: { "k\u0000": 1 } }, "extra.k\\u0000"],
    ] as const) {
      const result = await call(args);
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toEqual({
        error: {
          kind: "invalid",
          code: "validation_failed",
          message: `Invalid arguments: ${where} — must not contain a NUL character`,
        },
      });
    }
    expect(handled).toEqual([]);
    expect((await call({ text: "fine" })).structuredContent).toEqual({ text: "fine" });
  });
});

describe("malformed MCP requests", () => {
  test("error: tools/call without params or with non-object arguments is -32602 with one readable line", async () => {
    const cases: [object, string][] = [
      [
        { jsonrpc: "2.0", id: 1, method: "tools/call" },
        "Invalid params for tools/call: params is missing (expected an object)",
      ],
      [
        { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: "x" } },
        "Invalid params for tools/call: params.arguments must be an object",
      ],
      [
        { jsonrpc: "2.0", id: "a", method: "tools/call", params: { arguments: {} } },
        "Invalid params for tools/call: params.name is missing (expected a string)",
      ],
      [
        { jsonrpc: "2.0", id: 1, method: "initialize", params: {} },
        "Invalid params for initialize: params.protocolVersion is missing (expected a string) (and 2 more problems)",
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await post(body);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        jsonrpc: "2.0",
        id: (body as { id: unknown }).id,
        error: { code: -32602, message },
      });
    }
    expect(handled).toEqual([]);
  });

  test("behavior: in a batch, only the malformed request is refused; the others are answered", async () => {
    const answer = await post([
      { jsonrpc: "2.0", id: 1, method: "tools/call" },
      {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "echo", arguments: { text: "hi" } },
      },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      {
        jsonrpc: "2.0",
        id: 1,
        error: { code: -32602, message: expect.stringMatching(/^Invalid params for tools\/call/) },
      },
      expect.objectContaining({
        id: 2,
        result: expect.objectContaining({ structuredContent: { text: "hi" } }),
      }),
    ]);
  });

  test("behavior: well-formed requests still reach the SDK (unknown tools and methods keep its answers)", async () => {
    const unknownTool = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "nope", arguments: {} },
    });
    expect(unknownTool.body.result).toMatchObject({ isError: true });
    const unknownMethod = await post({ jsonrpc: "2.0", id: 2, method: "prompts/get", params: {} });
    expect(unknownMethod.body.error.code).toBe(-32601);
    const list = await post({ jsonrpc: "2.0", id: 3, method: "tools/list" });
    expect(list.body.result.tools.map((tool: { name: string }) => tool.name)).toEqual(["echo"]);
  });
});
