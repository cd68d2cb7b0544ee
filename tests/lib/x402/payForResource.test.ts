import { encodePaymentRequiredHeader } from "@x402/core/http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  PaymentRejectedError,
  PriceAboveLimitError,
  UnsupportedNetworkError,
  UnsupportedSchemeError,
  X402ProtocolError,
} from "../../../lib/x402/errors.js";
import { payForResource } from "../../../lib/x402/payForResource.js";
import { selectRequirement } from "../../../lib/x402/selectRequirement.js";
import { startX402Fixture, type X402Fixture } from "./x402Fixture.js";

let fx: X402Fixture;

beforeAll(async () => {
  fx = await startX402Fixture();
});
afterAll(async () => {
  await fx?.stop();
});

const policy =
  (maxAmount: bigint, chainId?: number) =>
  (required: Parameters<Parameters<typeof payForResource>[0]["select"]>[0]) =>
    selectRequirement({
      accepts: required.accepts,
      chainId: chainId ?? fx.devnet.chainId,
      allowedAssets: fx.allowedAssets,
      maxAmount,
    });

describe("payForResource", () => {
  test("behavior: pays the demo resource, settles on chain, moves exactly the price", async () => {
    const merchant = fx.devnet.accounts.merchant.address;
    const [agentBefore, merchantBefore] = await Promise.all([
      fx.usdcBalance(fx.agent.address),
      fx.usdcBalance(merchant),
    ]);
    const result = await payForResource({
      url: `${fx.baseUrl}/api/demo/market-data`,
      account: fx.agent,
      publicClient: fx.publicClient,
      select: policy(1_000_000n),
    });
    expect(result.status).toBe(200);
    expect(result.paid).toBe(true);
    expect(result.truncated).toBe(false);
    expect(result.contentType).toContain("application/json");
    const body = JSON.parse(result.body) as { pair: string; price: string; blockNumber: string };
    expect(body.pair).toBe("CRO/USDC");
    // Exactly what the seeded "Market Data API" description promises (lib/registry/seed.ts): a spot
    // price and the pool's reserves at a block, nothing historical such as a 24h change.
    expect(Object.keys(body).sort()).toEqual(
      ["blockNumber", "dex", "network", "pair", "pool", "price", "reserves", "timestamp"].sort(),
    );
    // Fixture pool: 2,000,000 CRO against 200,000 USDC → 0.1 USDC per CRO (before any swap).
    expect(Number(body.price)).toBeCloseTo(0.1, 3);
    expect(result.requirement?.amount).toBe("100000");
    expect(result.requirement?.payTo).toBe(merchant);
    expect(result.settlement?.network).toBe(`eip155:${fx.devnet.chainId}`);
    expect(result.settlement?.payer?.toLowerCase()).toBe(fx.agent.address.toLowerCase());

    const receipt = await fx.publicClient.getTransactionReceipt({
      hash: result.settlement!.transaction!,
    });
    expect(receipt.status).toBe("success");
    const [agentAfter, merchantAfter] = await Promise.all([
      fx.usdcBalance(fx.agent.address),
      fx.usdcBalance(merchant),
    ]);
    expect(agentBefore - agentAfter).toBe(100_000n);
    expect(merchantAfter - merchantBefore).toBe(100_000n);
  });

  test("behavior: an unpaid request gets 402, the v2 declaration and an error body", async () => {
    const response = await fetch(`${fx.baseUrl}/api/demo/market-data`);
    expect(response.status).toBe(402);
    expect(await response.json()).toEqual({
      error: {
        code: "payment_required",
        message: "Pay 100000 base units of USDC via x402 (see the PAYMENT-REQUIRED header)",
      },
    });
    const declared = JSON.parse(
      Buffer.from(response.headers.get("payment-required")!, "base64").toString("utf8"),
    );
    expect(declared.accepts).toEqual([
      {
        scheme: "exact",
        network: `eip155:${fx.devnet.chainId}`,
        amount: "100000",
        asset: fx.usdc,
        payTo: fx.devnet.accounts.merchant.address,
        maxTimeoutSeconds: 300,
        extra: { name: "Paygent USD", version: "2" },
      },
    ]);
  });

  test("error: price above the limit fails before any signature", async () => {
    const path = "/api/demo/market-data";
    const signedBefore = fx.signedRequests(path);
    const balance = await fx.usdcBalance(fx.agent.address);
    const error = await payForResource({
      url: `${fx.baseUrl}${path}`,
      account: fx.agent,
      publicClient: fx.publicClient,
      select: policy(99_999n),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PriceAboveLimitError);
    expect((error as Error).message).toMatchInlineSnapshot(
      `"Price 100000 is above the limit 99999 (base units of USDC)"`,
    );
    expect(fx.signedRequests(path)).toBe(signedBefore);
    expect(await fx.usdcBalance(fx.agent.address)).toBe(balance);
  });

  test("error: a network other than ours is refused before signing", async () => {
    const path = "/api/demo/market-data";
    const signedBefore = fx.signedRequests(path);
    const error = await payForResource({
      url: `${fx.baseUrl}${path}`,
      account: fx.agent,
      publicClient: fx.publicClient,
      select: policy(1_000_000n, 25),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedNetworkError);
    expect((error as Error).message).toBe(
      `Unsupported x402 network: eip155:${fx.devnet.chainId} (this agent pays on eip155:25)`,
    );
    expect(fx.signedRequests(path)).toBe(signedBefore);
  });

  test("error: an unsupported scheme is refused before signing", async () => {
    // A server offering only a scheme we do not implement (real 402, its own declaration).
    fx.serve(
      "/test/upto-only",
      () =>
        new Response("{}", {
          status: 402,
          headers: {
            "PAYMENT-REQUIRED": encodePaymentRequiredHeader({
              x402Version: 2,
              resource: { url: `${fx.baseUrl}/test/upto-only` },
              accepts: [
                {
                  scheme: "upto",
                  network: `eip155:${fx.devnet.chainId}`,
                  amount: "100",
                  asset: fx.usdc,
                  payTo: fx.devnet.accounts.merchant.address,
                  maxTimeoutSeconds: 60,
                  extra: { name: "Paygent USD", version: "2" },
                },
              ],
            }),
          },
        }),
    );
    const error = await payForResource({
      url: `${fx.baseUrl}/test/upto-only`,
      account: fx.agent,
      publicClient: fx.publicClient,
      select: policy(1_000_000n),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedSchemeError);
    expect((error as Error).message).toContain("Unsupported x402 scheme: upto");
    expect(fx.signedRequests("/test/upto-only")).toBe(0);
  });

  test("error: a malformed PAYMENT-REQUIRED header is a protocol error", async () => {
    fx.serve(
      "/test/malformed",
      () =>
        new Response("{}", { status: 402, headers: { "PAYMENT-REQUIRED": "%%%not-base64%%%" } }),
    );
    const error = await payForResource({
      url: `${fx.baseUrl}/test/malformed`,
      account: fx.agent,
      publicClient: fx.publicClient,
      select: policy(1_000_000n),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(X402ProtocolError);
    expect((error as Error).message).toBe(
      "Malformed x402 response: PAYMENT-REQUIRED header is not base64-encoded JSON",
    );
    expect(fx.signedRequests("/test/malformed")).toBe(0);
  });

  test("error: a 402 after payment is a rejection, with exactly one signature sent", async () => {
    // Replays every paid request's verdict as another 402 naming a bigger price: the client must
    // not sign a second time for it.
    let first = true;
    fx.serve("/test/always-402", async (request) => {
      const paid = request.headers.get("payment-signature");
      const amount = first ? "100000" : "200000";
      first = false;
      return new Response("{}", {
        status: 402,
        headers: {
          "PAYMENT-REQUIRED": encodePaymentRequiredHeader({
            x402Version: 2,
            error: paid ? "price_changed" : "Payment required",
            resource: { url: `${fx.baseUrl}/test/always-402` },
            accepts: [
              {
                scheme: "exact",
                network: `eip155:${fx.devnet.chainId}`,
                amount,
                asset: fx.usdc,
                payTo: fx.devnet.accounts.merchant.address,
                maxTimeoutSeconds: 60,
                extra: { name: "Paygent USD", version: "2" },
              },
            ],
          }),
        },
      });
    });
    const error = await payForResource({
      url: `${fx.baseUrl}/test/always-402`,
      account: fx.agent,
      publicClient: fx.publicClient,
      select: policy(1_000_000n),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentRejectedError);
    expect((error as PaymentRejectedError).reason).toBe("price_changed");
    expect(fx.signedRequests("/test/always-402")).toBe(1);
  });

  test("error: a failing facilitator settle leaves the agent's balance untouched", async () => {
    // A facilitator that verifies like the real one but whose /settle fails (HTTP 500).
    const { createPaidRoute } = await import("../../../lib/x402/createPaidRoute.js");
    const { json } = await import("../../../lib/http/index.js");
    const realFacilitator = await import("../../../api/facilitator/[action].js");
    fx.serve("/broken/supported", (request) =>
      realFacilitator.GET(new Request(request.url.replace("/broken/", "/api/facilitator/"))),
    );
    fx.serve("/broken/verify", (request) =>
      realFacilitator.POST(
        new Request(request.url.replace("/broken/", "/api/facilitator/"), {
          method: "POST",
          headers: request.headers,
          body: request.body,
          duplex: "half",
        } as RequestInit),
      ),
    );
    fx.serve("/broken/settle", () => new Response("facilitator down", { status: 500 }));
    const previous = process.env.X402_FACILITATOR_URL;
    process.env.X402_FACILITATOR_URL = `${fx.baseUrl}/broken`;
    const { resetConfig } = await import("../../../lib/config.js");
    resetConfig();
    try {
      fx.serve(
        "/test/broken-settle",
        createPaidRoute({
          path: "/test/broken-settle",
          amount: "1000",
          description: "resource whose facilitator cannot settle",
          handler: async () => json({ ok: true }),
        }),
      );
      const balance = await fx.usdcBalance(fx.agent.address);
      const error = await payForResource({
        url: `${fx.baseUrl}/test/broken-settle`,
        account: fx.agent,
        publicClient: fx.publicClient,
        select: policy(1_000_000n),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentRejectedError);
      expect((error as Error).message).toBe(
        "Payment rejected by the server: Facilitator settle failed (500): facilitator down",
      );
      expect(fx.signedRequests("/test/broken-settle")).toBe(1);
      expect(await fx.usdcBalance(fx.agent.address)).toBe(balance);
    } finally {
      process.env.X402_FACILITATOR_URL = previous;
      resetConfig();
    }
  });
});
