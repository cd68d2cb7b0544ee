import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { route } from "../../../../lib/http/route.js";
import { callMcpTool, McpCallError } from "../../../../lib/mcp/client/callMcpTool.js";
import { readPaymentRequired } from "../../../../lib/mcp/client/readPaymentRequired.js";
import { serveStatelessMcp } from "../../../../lib/mcp/serveStatelessMcp.js";
import { startX402Fixture, type X402Fixture } from "../../x402/x402Fixture.js";

let fx: X402Fixture;
const PATH = "/test/deep-mcp";

beforeAll(async () => {
  fx = await startX402Fixture();
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

/** `depth` arrays inside one another. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < depth; level++) value = [value];
  return value;
}

describe("a remote MCP tool's answer nested too deeply", () => {
  test("error: a result deeper than 64 levels is refused as an unreadable answer; 64 is read", async () => {
    let depth = 0;
    fx.serve(
      PATH,
      route(PATH, (request) => {
        const server = new McpServer({ name: "deep", version: "1.0.0" });
        server.registerTool("deep", { description: "deep" }, async () => ({
          content: [{ type: "text", text: "ok" }],
          // The result is one level, structuredContent a second, its field the rest.
          structuredContent: { data: nested(depth - 2) },
        }));
        return serveStatelessMcp(server, request);
      }),
    );
    const call = () => callMcpTool({ serverUrl: `${fx.baseUrl}${PATH}`, name: "deep" });

    depth = 64;
    expect((await call()).structuredContent).toEqual({ data: nested(62) });
    depth = 65;
    const error = await call().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McpCallError);
    expect((error as Error).message).toBe(
      "MCP tool deep answered JSON nested deeper than 64 levels",
    );
  });

  test("behavior: a PaymentRequired in text nested deeper than 64 levels is no payment request", () => {
    const text = (depth: number) =>
      JSON.stringify({ x402Version: 2, accepts: [], extra: nested(depth) });
    const result = (depth: number) => ({
      isError: true,
      content: [{ type: "text" as const, text: text(depth) }],
    });
    expect(readPaymentRequired(result(63))).toMatchObject({ x402Version: 2 });
    expect(readPaymentRequired(result(64))).toBeUndefined();
  });
});
