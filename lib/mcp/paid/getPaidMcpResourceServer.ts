import { x402ResourceServer } from "@x402/core/server";
import { registerExactEvmScheme } from "@x402/evm/exact/server";
import { createOfferReceiptExtension } from "@x402/extensions/offer-receipt";
import { getConfig } from "../../config.js";
import { type PaidRouteTerms, resolvePaidRouteTerms } from "../../x402/createPaidRoute.js";
import { devnetOfferReceiptIssuer } from "../../x402/devnetOfferReceiptIssuer.js";
import { getFacilitatorClient } from "../../x402/getFacilitatorClient.js";

/** A resource server for paid MCP tools, with the terms it charges in. */
export interface PaidMcpResourceServer {
  server: x402ResourceServer;
  terms: PaidRouteTerms;
  /** True when offers and receipts are signed (offer-receipt extension). */
  signsReceipts: boolean;
}

let cached: { key: string; value: Promise<PaidMcpResourceServer> } | undefined;

/**
 * The x402 resource server behind paid MCP tools: the same facilitator, network, USDC and merchant
 * as the paid HTTP routes (createPaidRoute). On the devnet the merchant's key also signs offers and
 * receipts (offer-receipt extension, EIP-712), so clients can keep proof of what they bought;
 * elsewhere no merchant key is held and none are signed.
 */
export function getPaidMcpResourceServer(): Promise<PaidMcpResourceServer> {
  const config = getConfig();
  const key = [
    config.PAYGENT_NETWORK,
    config.RPC_URL,
    config.X402_FACILITATOR_URL,
    config.X402_MERCHANT_ADDRESS,
  ].join("|");
  if (cached?.key === key) return cached.value;
  const value = (async () => {
    const terms = await resolvePaidRouteTerms();
    const server = new x402ResourceServer(getFacilitatorClient());
    registerExactEvmScheme(server, { networks: [terms.network] });
    const issuer = devnetOfferReceiptIssuer(terms);
    if (issuer) server.registerExtension(createOfferReceiptExtension(issuer));
    const signsReceipts = issuer !== undefined;
    await server.initialize();
    return { server, terms, signsReceipts };
  })();
  cached = { key, value };
  value.catch(() => {
    if (cached?.value === value) cached = undefined;
  });
  return value;
}
