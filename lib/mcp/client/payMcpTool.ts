import { assertPublicUrl } from "../../security/assertPublicUrl.js";
import {
  type ExecutePaymentParameters,
  executePayment,
  type PaymentOutcome,
} from "../../x402/executePayment.js";
import { mcpToolTransport } from "./mcpToolTransport.js";

/** Inputs of payMcpTool: one pay step of one run, aimed at a paid MCP tool. */
export interface PayMcpToolParameters extends Omit<ExecutePaymentParameters, "url" | "transport"> {
  /** The paid MCP server's Streamable HTTP endpoint. */
  serverUrl: string;
  tool: { name: string; arguments: Record<string, unknown> };
  timeoutMs?: number | undefined;
}

/**
 * The resource a paid MCP tool stands for in the payments table: the server URL with the tool as
 * its fragment, so two tools of one server are two resources.
 */
export function mcpToolResourceUrl(serverUrl: string, toolName: string): string {
  const url = new URL(serverUrl);
  url.hash = encodeURIComponent(toolName);
  return url.toString();
}

/**
 * Pays for one call of a paid MCP tool, exactly once per (runId, stepId): executePayment with the
 * x402-over-MCP transport, so the nonce, the payment row written before signing, the limits and
 * budget checked before signing, and the recovery from the chain are those of HTTP x402. A retry
 * of the same step re-sends the same authorization, which the token contract accepts only once.
 */
export async function payMcpTool(parameters: PayMcpToolParameters): Promise<PaymentOutcome> {
  // The URL comes from a caller or a catalogue: never point the server at internal hosts.
  await assertPublicUrl(parameters.serverUrl);
  const { serverUrl, tool, timeoutMs, ...rest } = parameters;
  return executePayment({
    ...rest,
    url: mcpToolResourceUrl(serverUrl, tool.name),
    transport: mcpToolTransport({
      serverUrl,
      name: tool.name,
      arguments: tool.arguments,
      fetch: parameters.fetch,
      timeoutMs,
    }),
  });
}
