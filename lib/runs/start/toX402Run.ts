import type { McpToolCall } from "../../actions/fields.js";
import { viewAmount } from "../../amounts/index.js";
import type { RunOptions } from "./startRun.js";

/** What POST /api/payments/x402 and the MCP tool pay_x402 both ask for (the cap resolved). */
export interface X402RunRequest {
  url: string;
  /** Base units of `token` (resolveAmount of the request's {amount, token}). */
  maxAmount: string;
  token: string;
  tool?: McpToolCall | undefined;
}

/**
 * The command line and options of a direct x402 run (kind "x402"), written once so REST and MCP
 * start the very same run: a plain resource, or one call of a paid MCP tool at `url`.
 */
export function toX402Run(request: X402RunRequest): {
  command: string;
  options: { x402: NonNullable<RunOptions["x402"]> };
} {
  const { url, maxAmount, token, tool } = request;
  const what = tool ? `call ${tool.name} at ${url}` : `pay ${url}`;
  return {
    command: `${what} (at most ${viewAmount(maxAmount, token).formatted})`,
    options: { x402: { url, maxAmount, token, ...(tool ? { tool } : {}) } },
  };
}
