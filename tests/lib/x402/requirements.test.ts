import { encodePaymentRequiredHeader } from "@x402/core/http";
import { encodeAbiParameters, keccak256 } from "viem";
import { describe, expect, test } from "vitest";
import {
  PriceAboveLimitError,
  UnsupportedAssetError,
  X402ProtocolError,
} from "../../../lib/x402/errors.js";
import { deriveNonce } from "../../../lib/x402/nonce.js";
import { parsePaymentRequired } from "../../../lib/x402/requirements.js";
import { selectRequirement } from "../../../lib/x402/selectRequirement.js";

const USDC_T = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0";
const PAY_TO = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const url = "https://api.example.test/data";

const parse = (headers: Record<string, string>, body = "") =>
  parsePaymentRequired({ headers: new Headers(headers), body, url });

describe("parsePaymentRequired", () => {
  test("args: v2 PAYMENT-REQUIRED header", () => {
    const header = encodePaymentRequiredHeader({
      x402Version: 2,
      error: "Payment required",
      resource: { url },
      accepts: [
        {
          scheme: "exact",
          network: "eip155:338",
          amount: "100000",
          asset: USDC_T.toLowerCase(),
          payTo: PAY_TO,
          maxTimeoutSeconds: 300,
          extra: { name: "Bridged USDC (Stargate)", version: "1" },
        },
      ],
    });
    const required = parse({ "PAYMENT-REQUIRED": header });
    expect(required).toMatchObject({
      x402Version: 2,
      dialect: "v2",
      error: "Payment required",
      resource: url,
    });
    expect(required.accepts[0]).toMatchObject({
      scheme: "exact",
      network: "eip155:338",
      chainId: 338,
      amount: "100000",
      asset: USDC_T, // checksummed
      payTo: PAY_TO,
      maxTimeoutSeconds: 300,
      extra: { name: "Bridged USDC (Stargate)", version: "1" },
      resource: url,
    });
    // `raw` keeps the server's own spelling: v2 servers match `accepted` against it.
    expect(required.accepts[0]?.raw.asset).toBe(USDC_T.toLowerCase());
  });

  test("args: v1 JSON body with maxAmountRequired", () => {
    const body = JSON.stringify({
      x402Version: 1,
      error: "X-PAYMENT header is required",
      accepts: [
        {
          scheme: "exact",
          network: "base-sepolia",
          maxAmountRequired: "1000",
          resource: "https://api.example.test/weather",
          description: "",
          mimeType: "application/json",
          payTo: PAY_TO,
          maxTimeoutSeconds: 60,
          asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
          extra: { name: "USDC", version: "2" },
        },
      ],
    });
    const required = parse({ "content-type": "application/json" }, body);
    expect(required).toMatchObject({
      x402Version: 1,
      dialect: "v1",
      error: "X-PAYMENT header is required",
    });
    expect(required.accepts[0]).toMatchObject({
      network: "eip155:84532",
      chainId: 84532,
      amount: "1000",
      resource: "https://api.example.test/weather",
      dialect: "v1",
    });
  });

  test("args: Cronos dialect (cronos-testnet, no extra, no timeout)", () => {
    const body = JSON.stringify({
      x402Version: 1,
      accepts: [
        {
          scheme: "exact",
          network: "cronos-testnet",
          payTo: PAY_TO,
          asset: USDC_T,
          maxAmountRequired: 1000000,
        },
      ],
    });
    const required = parse({}, body);
    expect(required.dialect).toBe("cronos");
    expect(required.accepts[0]).toMatchObject({
      dialect: "cronos",
      network: "eip155:338",
      chainId: 338,
      amount: "1000000",
      maxTimeoutSeconds: 300,
      extra: {},
      resource: url,
    });
  });

  test("args: a non-EVM option keeps chainId null and does not hide the others", () => {
    const header = encodePaymentRequiredHeader({
      x402Version: 2,
      resource: { url },
      accepts: [
        {
          scheme: "exact",
          network: "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
          amount: "10",
          asset: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
          payTo: "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin",
          maxTimeoutSeconds: 60,
          extra: {},
        },
        {
          scheme: "exact",
          network: "eip155:25",
          amount: "10",
          asset: USDC_T,
          payTo: PAY_TO,
          maxTimeoutSeconds: 60,
          extra: {},
        },
      ],
    });
    const required = parse({ "payment-required": header });
    expect(required.accepts.map((item) => item.chainId)).toEqual([null, 25]);
  });

  test.each([
    [
      "bad base64",
      { "PAYMENT-REQUIRED": "***" },
      "",
      "PAYMENT-REQUIRED header is not base64-encoded JSON",
    ],
    [
      "missing accepts",
      {
        "PAYMENT-REQUIRED": Buffer.from(
          JSON.stringify({ x402Version: 2, resource: { url } }),
        ).toString("base64"),
      },
      "",
      "PAYMENT-REQUIRED.accepts: Invalid input: expected array, received undefined",
    ],
    [
      "negative amount",
      {
        "PAYMENT-REQUIRED": Buffer.from(
          JSON.stringify({
            x402Version: 2,
            resource: { url },
            accepts: [
              {
                scheme: "exact",
                network: "eip155:25",
                amount: "-1",
                asset: USDC_T,
                payTo: PAY_TO,
                maxTimeoutSeconds: 1,
                extra: {},
              },
            ],
          }),
        ).toString("base64"),
      },
      "",
      "accepts[0].amount: must be a non-negative integer in base units",
    ],
    [
      "EVM entry with a bad address",
      {
        "PAYMENT-REQUIRED": Buffer.from(
          JSON.stringify({
            x402Version: 2,
            resource: { url },
            accepts: [
              {
                scheme: "exact",
                network: "eip155:25",
                amount: "1",
                asset: "0x1234",
                payTo: PAY_TO,
                maxTimeoutSeconds: 1,
                extra: {},
              },
            ],
          }),
        ).toString("base64"),
      },
      "",
      'accepts[0].asset is not an EVM address: "0x1234"',
    ],
    [
      "no header, HTML body",
      {},
      "<html>pay me</html>",
      "402 body is not JSON and there is no PAYMENT-REQUIRED header",
    ],
    [
      "no header, empty body",
      {},
      "",
      "402 without a PAYMENT-REQUIRED header or a v1 `accepts` body",
    ],
    [
      "unknown version",
      {},
      JSON.stringify({ x402Version: 3, accepts: [] }),
      "unsupported x402Version 3",
    ],
  ])("error: malformed 402 (%s)", (_name, headers, body, reason) => {
    const error = (() => {
      try {
        parse(headers, body);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(X402ProtocolError);
    expect((error as Error).message).toBe(`Malformed x402 response: ${reason}`);
  });
});

describe("deriveNonce", () => {
  test("behavior: same (runId, stepId) → same nonce; any change → another", () => {
    const a = deriveNonce({ runId: "run_1", stepId: "step_1" });
    expect(deriveNonce({ runId: "run_1", stepId: "step_1" })).toBe(a);
    expect(deriveNonce({ runId: "run_1", stepId: "step_1", attempt: 0 })).toBe(a);
    expect(deriveNonce({ runId: "run_1", stepId: "step_2" })).not.toBe(a);
    expect(deriveNonce({ runId: "run_2", stepId: "step_1" })).not.toBe(a);
    expect(deriveNonce({ runId: "run_1", stepId: "step_1", attempt: 1 })).not.toBe(a);
  });

  test("args: keccak256(abi.encode('paygent-x402', runId, stepId, attempt))", () => {
    const expected = keccak256(
      encodeAbiParameters(
        [{ type: "string" }, { type: "string" }, { type: "string" }, { type: "uint256" }],
        ["paygent-x402", "run_1", "step_1", 2n],
      ),
    );
    expect(deriveNonce({ runId: "run_1", stepId: "step_1", attempt: 2 })).toBe(expected);
  });
});

describe("selectRequirement", () => {
  const header = (amounts: string[]) =>
    encodePaymentRequiredHeader({
      x402Version: 2,
      resource: { url },
      accepts: amounts.map((amount) => ({
        scheme: "exact",
        network: "eip155:338",
        amount,
        asset: USDC_T,
        payTo: PAY_TO,
        maxTimeoutSeconds: 60,
        extra: {},
      })),
    });
  const allowed = [{ address: USDC_T, symbol: "USDC" }] as const;

  test("behavior: picks the cheapest allowed option", () => {
    const { accepts } = parse({ "PAYMENT-REQUIRED": header(["300", "200", "250"]) });
    const chosen = selectRequirement({
      accepts,
      chainId: 338,
      allowedAssets: allowed,
      maxAmount: 1000n,
    });
    expect(chosen.amount).toBe("200");
  });

  test("error: above maxAmount", () => {
    const { accepts } = parse({ "PAYMENT-REQUIRED": header(["200"]) });
    expect(() =>
      selectRequirement({
        accepts,
        chainId: 338,
        allowedAssets: allowed,
        maxAmount: 100n,
      }),
    ).toThrowError(PriceAboveLimitError);
  });

  test("error: asset not allowed, or not the requested token", () => {
    const { accepts } = parse({ "PAYMENT-REQUIRED": header(["200"]) });
    expect(() =>
      selectRequirement({ accepts, chainId: 338, allowedAssets: [], maxAmount: 1000n }),
    ).toThrowError(UnsupportedAssetError);
    expect(() =>
      selectRequirement({
        accepts,
        chainId: 338,
        allowedAssets: allowed,
        maxAmount: 1000n,
        token: "VVS",
      }),
    ).toThrowError(UnsupportedAssetError);
    expect(
      selectRequirement({
        accepts,
        chainId: 338,
        allowedAssets: allowed,
        maxAmount: 1000n,
        token: "usdc",
      }).amount,
    ).toBe("200");
  });
});
