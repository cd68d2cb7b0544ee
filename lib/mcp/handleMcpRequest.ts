import type { Principal } from "../auth/authenticate.js";
import { getDb } from "../db/index.js";
import { createMcpServer } from "./createMcpServer.js";
import { serveStatelessMcp } from "./serveStatelessMcp.js";
import { paygentTools } from "./tools/index.js";

/**
 * Paygent's MCP endpoint for an authenticated caller: stateless Streamable HTTP with a new server
 * and transport per request (a stateless transport cannot be reused), carrying only the tools the
 * key's role allows. (A request without a valid key never gets here: see answerMcpUnauthorized.)
 */
export async function handleMcpRequest(request: Request, principal: Principal): Promise<Response> {
  const server = createMcpServer({ db: await getDb(), principal, request, tools: paygentTools });
  return serveStatelessMcp(server, request);
}
