import { describe, expect, test } from "vitest";
import {
  amountInput,
  resolveAmount,
  viewAmount,
  viewAssetAmount,
} from "../../../lib/amounts/index.js";
import { resolveEditArgs } from "../../../lib/approvals/resolveEditArgs.js";
import { getTokens } from "../../../lib/chain/registry.js";
import { resolveNetworkRef } from "../../../lib/chain/resolveNetworkRef.js";
import { ClientError } from "../../../lib/errors/index.js";
import { discoverRequestQuery } from "../../../lib/registry/requestSchemas.js";
import { toDiscoverParameters } from "../../../lib/registry/toDiscoverParameters.js";
import { toStoredPrice } from "../../../lib/registry/toServiceInput.js";

const cronosUsdc = getTokens("cronos").find((t) => t.symbol === "USDC")!;
const testnetUsdc = getTokens("cronos-testnet").find((t) => t.symbol === "USDC")!;

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).status).toBe(400);
    return (error as ClientError).message;
  }
  throw new Error("expected a 400");
}

describe("amountInput: the request form", () => {
  test("args: {amount, token} strings in whole tokens parse", () => {
    expect(amountInput.parse({ amount: " 1,000.50 ", token: "usdc" })).toEqual({
      amount: "1,000.50",
      token: "usdc",
    });
    expect(amountInput.parse({ amount: ".25", token: cronosUsdc.address })).toMatchObject({
      amount: ".25",
    });
  });

  test("error: the old base-unit string, numbers and ambiguous text are refused with the new form", () => {
    const issue = (value: unknown) => amountInput.safeParse(value).error?.issues[0]?.message ?? "";
    expect(issue("500000")).toContain('{"amount": "0.5", "token": "USDC"}');
    expect(issue("500000")).toContain('"500000" alone is not accepted');
    expect(issue(500000)).toContain("500000 alone is not accepted");
    expect(issue({ amount: 0.5, token: "USDC" })).toBe(
      'write amounts as strings of whole tokens, e.g. "0.5"',
    );
    expect(issue({ amount: "1,5", token: "USDC" })).toContain("ambiguous");
    expect(issue({ amount: "1e3", token: "USDC" })).toContain("exponent");
    expect(issue({ amount: "+1", token: "USDC" })).toContain("sign");
    expect(issue({ amount: "1", token: "USDC", unit: "x" })).toContain("unit");
    expect(issue({ amount: "1", token: "$$" })).toContain("token symbol");
  });
});

describe("resolveAmount: whole tokens to base units", () => {
  test("behavior: exact, by symbol, alias or address, on the named network", () => {
    expect(resolveAmount({ amount: "0.1", token: "usdc" }, { network: "cronos" })).toMatchObject({
      baseUnits: 100_000n,
      token: "USDC",
      decimals: 6,
    });
    expect(
      resolveAmount({ amount: "1,000.000001", token: cronosUsdc.address }, { network: "cronos" })
        .baseUnits,
    ).toBe(1_000_000_001n);
    expect(
      resolveAmount({ amount: "0.000000000000000001", token: "cro" }, { network: "cronos" })
        .baseUnits,
    ).toBe(1n);
    expect(
      resolveAmount({ amount: "2", token: "USD" }, { network: "cronos", allowUsd: true }),
    ).toMatchObject({ baseUnits: 2_000_000n, token: "USD", info: undefined });
  });

  test("error: USD where a token is needed, unknown tokens, too many decimals and zero are 400s", () => {
    expect(
      messageOf(() => resolveAmount({ amount: "1", token: "USD" }, { network: "cronos" })),
    ).toMatch(/"USD" is not a token; name one such as USDC/);
    expect(
      messageOf(() =>
        resolveAmount({ amount: "1", token: "pizza" }, { network: "cronos", field: "maxAmount" }),
      ),
    ).toMatch(/^maxAmount: unknown token "pizza" on cronos; known: CRO, USDC, WCRO, VVS$/);
    expect(
      messageOf(() => resolveAmount({ amount: "0.0000001", token: "USDC" }, { network: "cronos" })),
    ).toContain("more than 6 decimal places (USDC has 6 decimals)");
    expect(
      messageOf(() => resolveAmount({ amount: "0", token: "USDC" }, { network: "cronos" })),
    ).toContain("must be more than 0 USDC");
    expect(
      resolveAmount({ amount: "0", token: "USDC" }, { network: "cronos", allowZero: true })
        .baseUnits,
    ).toBe(0n);
  });
});

describe("viewAmount: the response form", () => {
  test("behavior: decimal, symbol, base units, decimals and formatted; unknown assets keep base units", () => {
    expect(viewAmount(100_000n, cronosUsdc.address, "cronos")).toEqual({
      amount: "0.1",
      token: "USDC",
      baseUnits: "100000",
      decimals: 6,
      formatted: "0.1 USDC",
    });
    expect(viewAmount("1500000", "USD", "cronos").formatted).toBe("1.5 USD");
    expect(viewAmount("7", "0x000000000000000000000000000000000000dEaD", "cronos")).toEqual({
      amount: null,
      token: "0x000000000000000000000000000000000000dEaD",
      baseUnits: "7",
      decimals: null,
      formatted: "7 base units of 0x000000000000000000000000000000000000dEaD",
    });
    // A CAIP-2 network Paygent does not know: decimals are never guessed.
    expect(viewAssetAmount("100000", "USDC", "eip155:8453").amount).toBeNull();
    expect(viewAssetAmount("100000", testnetUsdc.address, "eip155:338").formatted).toBe("0.1 USDC");
  });
});

describe("registry forms", () => {
  test("behavior: networks by name or CAIP-2 id; prices stored as base units of the address", () => {
    expect(resolveNetworkRef("Cronos")).toEqual({ name: "cronos", caip2: "eip155:25" });
    expect(resolveNetworkRef("eip155:338")).toEqual({
      name: "cronos-testnet",
      caip2: "eip155:338",
    });
    expect(messageOf(() => resolveNetworkRef("ethereum"))).toContain("cronos-testnet (eip155:338)");
    expect(toStoredPrice({ amount: "0.05", token: "USDC", network: "cronos" })).toEqual({
      amount: "50000",
      asset: cronosUsdc.address,
      network: "eip155:25",
    });
    expect(
      messageOf(() => toStoredPrice({ amount: "1", token: "CRO", network: "cronos" })),
    ).toContain("ERC-20");
  });

  test("behavior: price filters are whole tokens of priceToken and match it on every network", () => {
    const query = discoverRequestQuery.parse({ maxPrice: "0.5", priceToken: "USDC" });
    const parameters = toDiscoverParameters(query);
    expect(parameters.maxPrice).toBe("500000");
    expect(parameters.priceAssets).toEqual(
      expect.arrayContaining([
        "usdc",
        cronosUsdc.address.toLowerCase(),
        testnetUsdc.address.toLowerCase(),
      ]),
    );
    const missing = discoverRequestQuery.safeParse({ maxPrice: "500000" });
    expect(missing.error?.issues[0]?.message).toContain("add priceToken");
  });
});

describe("approval edits", () => {
  const pay = {
    type: "pay" as const,
    url: "https://x.example.com",
    token: "USDC",
    maxAmount: "100000",
  };

  test("behavior: amount fields take {amount, token} in the action's token; other args pass through", () => {
    expect(
      resolveEditArgs(pay as never, { maxAmount: { amount: "0.2", token: "usdc" }, note: 1 }),
    ).toEqual({ maxAmount: "200000", note: 1 });
  });

  test("error: a base-unit string or another token is a 400 naming the form", () => {
    expect(messageOf(() => resolveEditArgs(pay as never, { maxAmount: "200000" }))).toContain(
      '{"maxAmount": {"amount": "0.5", "token": "USDC"}}',
    );
    expect(
      messageOf(() => resolveEditArgs(pay as never, { maxAmount: { amount: "1", token: "CRO" } })),
    ).toContain("not the token");
  });
});
