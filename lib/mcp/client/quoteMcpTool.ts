import { assertPublicUrl } from "../../security/assertPublicUrl.js";
import { createPinnedFetch } from "../../security/fetchPinned.js";
import { ResourceRequestError } from "../../x402/errors.js";
import { type Quote, quotePaymentRequired } from "../../x402/quotePaymentRequired.js";
import { parsePaymentRequired } from "../../x402/requirements.js";
import type { AllowedAsset } from "../../x402/selectRequirement.js";
import { callMcpTool } from "./callMcpTool.js";
import { mcpToolResourceUrl } from "./payMcpTool.js";
import { readPaymentRequired } from "./readPaymentRequired.js";

/** Inputs of quoteMcpTool. */
export interface QuoteMcpToolParameters {
  serverUrl: string;
  tool: { name: string; arguments: Record<string, unknown> };
  chainId: number;
  allowedAssets: readonly AllowedAsset[];
  maxAmount?: bigint | undefined;
  token?: string | undefined;
  fetch?: typeof fetch;
}

/**
 * Reads a paid MCP tool's price without paying: the tool is called without `_meta["x402/payment"]`
 * and its PaymentRequired answer is quoted like an HTTP 402. A tool that answers without asking
 * for payment has run (it was free); its answer is not returned here.
 */
export async function quoteMcpTool(parameters: QuoteMcpToolParameters): Promise<Quote> {
  // Checked up front so a refused URL stays the caller's error (the SDK would wrap it).
  await assertPublicUrl(parameters.serverUrl);
  // The SDK transport's requests go through a pinned fetch: each is resolved once, checked and
  // connected to that address, so DNS answering differently after the check (rebinding) cannot
  // send them to an internal host. Redirects come back to the SDK unfollowed; it follows none for
  // messages (requestInit redirect "manual") and only same-origin ones otherwise, again through here.
  const doFetch: typeof fetch = parameters.fetch ?? createPinnedFetch({ redirect: "manual" });
  const result = await callMcpTool({
    serverUrl: parameters.serverUrl,
    name: parameters.tool.name,
    arguments: parameters.tool.arguments,
    fetch: doFetch,
    timeoutMs: 15_000,
  });
  const declared = readPaymentRequired(result);
  const resource = mcpToolResourceUrl(parameters.serverUrl, parameters.tool.name);
  if (!declared) {
    if (result.isError) {
      throw new ResourceRequestError(`MCP tool ${parameters.tool.name} failed without a price`);
    }
    return {
      resource,
      paymentRequired: false,
      x402Version: null,
      accepts: [],
      selected: null,
      refusal: null,
    };
  }
  const required = parsePaymentRequired({
    headers: new Headers(),
    body: JSON.stringify(declared),
    url: resource,
  });
  return quotePaymentRequired({ required, ...parameters });
}
