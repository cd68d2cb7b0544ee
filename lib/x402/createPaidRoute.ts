import {
  type HTTPAdapter,
  type HTTPRequestContext,
  type HTTPResponseInstructions,
  x402HTTPResourceServer,
  x402ResourceServer,
} from "@x402/core/server";
import type { Network } from "@x402/core/types";
import { registerExactEvmScheme } from "@x402/evm/exact/server";
import {
  createOfferReceiptExtension,
  declareOfferReceiptExtension,
} from "@x402/extensions/offer-receipt";
import { type Address, getAddress, parseAbi } from "viem";
import { getChainContext } from "../chain/clients.js";
import { devnetRoleAccount } from "../chain/devnetConstants.js";
import { findToken, getNetwork } from "../chain/registry.js";
import { getConfig } from "../config.js";
import { ServiceUnavailableError } from "../errors/index.js";
import { errorResponse } from "../http/errors.js";
import type { RouteHandler } from "../http/route.js";
import { log } from "../log.js";
import { devnetOfferReceiptIssuer } from "./devnetOfferReceiptIssuer.js";
import { getFacilitatorClient } from "./getFacilitatorClient.js";

/** Options of createPaidRoute. */
export interface CreatePaidRouteOptions {
  /** The route's path, e.g. "/api/demo/market-data" (matched by the x402 server). */
  path: string;
  /** Price in base units of the network's USDC. */
  amount: string;
  description: string;
  mimeType?: string;
  /** Produces the paid content; a status ≥ 400 is returned unpaid (nothing is settled). */
  handler: (request: Request) => Promise<Response>;
}

/** Where and in what a paid route is paid: resolved from configuration and the registry. */
export interface PaidRouteTerms {
  network: Network;
  asset: Address;
  payTo: Address;
  extra: { name: string; version: string };
}

const versionAbi = parseAbi(["function version() view returns (string)"]);

/** The network, USDC asset (with its EIP-712 domain) and merchant address paid routes charge in. */
export async function resolvePaidRouteTerms(): Promise<PaidRouteTerms> {
  const config = getConfig();
  const network = getNetwork(config.PAYGENT_NETWORK);
  const usdc = findToken(config.PAYGENT_NETWORK, "USDC");
  if (!usdc || usdc.address === "native" || !usdc.eip712) {
    throw new ServiceUnavailableError(`No EIP-3009 USDC is known on ${config.PAYGENT_NETWORK}`);
  }
  const payTo =
    config.X402_MERCHANT_ADDRESS ??
    (config.PAYGENT_NETWORK === "devnet" ? devnetRoleAccount("merchant").address : undefined);
  if (!payTo) {
    throw new ServiceUnavailableError("X402_MERCHANT_ADDRESS is not configured");
  }
  // The token's version() is the truth the facilitator checks; read it when the registry has none.
  const version =
    usdc.eip712.version ??
    (await getChainContext().publicClient.readContract({
      address: usdc.address,
      abi: versionAbi,
      functionName: "version",
    }));
  return {
    network: `eip155:${network.chainId}`,
    asset: usdc.address,
    payTo: getAddress(payTo),
    extra: { name: usdc.eip712.name, version },
  };
}

const servers = new Map<string, Promise<x402HTTPResourceServer>>();

/**
 * Wraps a Web handler as an x402-paid route (see servePaidRequest). Public (no API key).
 */
export function createPaidRoute(options: CreatePaidRouteOptions): RouteHandler {
  return (request) => servePaidRequest(request, options);
}

/**
 * Answers one request to an x402-paid resource with @x402/core's HTTP resource server and the
 * "exact" EVM scheme: no payment → 402 with PAYMENT-REQUIRED; a payment → verify with the
 * facilitator, run the handler, settle, answer with PAYMENT-RESPONSE. api/ endpoints declared
 * with auth "x402" call it from their handler.
 */
export async function servePaidRequest(
  request: Request,
  options: CreatePaidRouteOptions,
): Promise<Response> {
  try {
    const server = await getServer(options);
    const url = new URL(request.url);
    const adapter = webAdapter(request, url);
    const context: HTTPRequestContext = {
      adapter,
      path: url.pathname,
      method: request.method,
      ...optionalHeader(adapter),
    };
    const result = await server.processHTTPRequest(context);
    if (result.type === "no-payment-required") return await options.handler(request);
    if (result.type === "payment-error") return toResponse(result.response);

    const response = await options.handler(request);
    if (response.status >= 400) {
      // Nothing is settled for a failed handler: the authorization stays unused.
      await result.cancellationDispatcher.cancel({
        reason: "handler_failed",
        responseStatus: response.status,
      });
      return response;
    }
    const body = Buffer.from(await response.arrayBuffer());
    const settlement = await server.processSettlement(
      result.paymentPayload,
      result.paymentRequirements,
      result.declaredExtensions,
      {
        request: context,
        responseBody: body,
        responseHeaders: Object.fromEntries(response.headers),
      },
      undefined,
      result.beforeHandlerSettlement,
    );
    if (!settlement.success) {
      log.warn("x402 settlement failed", { path: url.pathname, reason: settlement.errorReason });
      return toResponse(settlement.response);
    }
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(settlement.headers)) headers.set(name, value);
    headers.set("access-control-expose-headers", "PAYMENT-RESPONSE");
    return new Response(body, { status: response.status, headers });
  } catch (error) {
    return errorResponse(error, request);
  }
}

function getServer(options: CreatePaidRouteOptions): Promise<x402HTTPResourceServer> {
  const config = getConfig();
  const key = [
    options.path,
    options.amount,
    config.PAYGENT_NETWORK,
    config.RPC_URL,
    config.X402_FACILITATOR_URL,
    config.X402_MERCHANT_ADDRESS,
  ].join("|");
  let server = servers.get(key);
  if (!server) {
    server = (async () => {
      const terms = await resolvePaidRouteTerms();
      const resourceServer = new x402ResourceServer(getFacilitatorClient());
      registerExactEvmScheme(resourceServer, { networks: [terms.network] });
      // Signed offers and receipts (offer-receipt extension) where a merchant key is held (devnet).
      const issuer = devnetOfferReceiptIssuer(terms);
      if (issuer) resourceServer.registerExtension(createOfferReceiptExtension(issuer));
      const httpServer = new x402HTTPResourceServer(resourceServer, {
        [`GET ${options.path}`]: {
          accepts: {
            scheme: "exact",
            network: terms.network,
            payTo: terms.payTo,
            price: { amount: options.amount, asset: terms.asset, extra: terms.extra },
            maxTimeoutSeconds: 300,
          },
          description: options.description,
          mimeType: options.mimeType ?? "application/json",
          ...(issuer ? { extensions: declareOfferReceiptExtension({ includeTxHash: true }) } : {}),
          // Same error shape as every other route; the terms travel in PAYMENT-REQUIRED.
          unpaidResponseBody: () => ({
            contentType: "application/json",
            body: {
              error: {
                code: "payment_required",
                message: `Pay ${options.amount} base units of USDC via x402 (see the PAYMENT-REQUIRED header)`,
              },
            },
          }),
        },
      });
      await httpServer.initialize();
      return httpServer;
    })();
    servers.set(key, server);
    server.catch(() => servers.delete(key));
  }
  return server;
}

function webAdapter(request: Request, url: URL): HTTPAdapter {
  return {
    getHeader: (name) => request.headers.get(name) ?? undefined,
    getMethod: () => request.method,
    getPath: () => url.pathname,
    getUrl: () => request.url,
    getAcceptHeader: () => request.headers.get("accept") ?? "",
    getUserAgent: () => request.headers.get("user-agent") ?? "",
    getQueryParams: () => Object.fromEntries(url.searchParams),
    getQueryParam: (name) => url.searchParams.get(name) ?? undefined,
  };
}

function optionalHeader(adapter: HTTPAdapter): { paymentHeader?: string } {
  const header = adapter.getHeader("payment-signature") ?? adapter.getHeader("x-payment");
  return header ? { paymentHeader: header } : {};
}

function toResponse(instructions: HTTPResponseInstructions): Response {
  const headers = new Headers(instructions.headers);
  if (instructions.isHtml) {
    return new Response(String(instructions.body ?? ""), { status: instructions.status, headers });
  }
  headers.set("content-type", "application/json; charset=utf-8");
  headers.set("access-control-expose-headers", "PAYMENT-REQUIRED, PAYMENT-RESPONSE");
  return new Response(JSON.stringify(instructions.body ?? {}), {
    status: instructions.status,
    headers,
  });
}
