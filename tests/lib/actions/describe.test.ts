import { describe, expect, test } from "vitest";
import { humanDecimal, shortAddress } from "../../../lib/actions/format.js";
import { actionModules, describeAction } from "../../../lib/actions/registry.js";
import { Action, actionTypes, SwapAction } from "../../../lib/actions/schemas.js";

/** The human lines of results and approvals, on the devnet's token list (CRO 18, USDC 6 decimals). */
describe("describeAction", () => {
  test("behavior: an approval reads what will happen, in human units", () => {
    expect(
      describeAction({
        type: "transfer",
        token: "USDC",
        amount: "50000000",
        to: "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
      }),
    ).toBe("Send 50 USDC to 0x90F7…b906");
    expect(
      describeAction({
        type: "pay",
        url: "https://md.example/quote",
        serviceId: "svc_md",
        serviceName: "Market Data API",
        token: "USDC",
        maxAmount: "100000",
      }),
    ).toBe("Pay 0.10 USDC to Market Data API");
    expect(
      describeAction({
        type: "pay",
        url: "https://md.example/quote",
        token: "USDC",
        maxAmount: "5",
      }),
    ).toBe("Pay 0.000005 USDC to md.example/quote");
  });

  test("behavior: dollars, probed prices and whole balances say so (issue 19)", () => {
    const to = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
    expect(
      describeAction({ type: "transfer", token: "USDC", amount: "10000000", to, usd: "10" }),
    ).toBe("Send 10 USDC to 0x90F7…b906 ($10 paid as 10 USDC)");
    const pay = {
      type: "pay" as const,
      url: "https://md.example/quote",
      token: "USDC",
      maxAmount: "500000",
      usd: "0.5",
    };
    expect(describeAction(pay)).toBe("Pay 0.50 USDC to md.example/quote ($0.50 paid as 0.50 USDC)");
    expect(describeAction(pay, { output: { amount: "500000" }, cost: [] })).toBe(
      "Paid 0.50 USDC to md.example/quote ($0.50 paid as 0.50 USDC)",
    );
    // Paid less than the dollar cap: the figure is not what was paid.
    expect(describeAction(pay, { output: { amount: "100000" }, cost: [] })).toBe(
      "Paid 0.10 USDC to md.example/quote (of up to $0.50, in USDC)",
    );
    expect(
      describeAction({
        type: "pay",
        url: "https://x.example/w",
        token: "USDC",
        maxAmount: "30000",
        probed: true,
      }),
    ).toBe("Pay 0.03 USDC to x.example/w, the price it asked when probed");
    const all = {
      type: "transfer" as const,
      token: "CRO",
      amount: "4999500000000000000000",
      to,
      all: true as const,
    };
    expect(describeAction(all)).toBe(
      "Send all your CRO to 0x90F7…b906 (4999.50 CRO when planned; the balance is read again when it runs)",
    );
    expect(describeAction(all, { output: { amount: "1234000000000000000000" }, cost: [] })).toBe(
      "Sent all your CRO: 1234 CRO to 0x90F7…b906",
    );
    const swapAll = {
      type: "swap" as const,
      tokenIn: "USDC",
      tokenOut: "CRO",
      amountIn: "120000000",
      slippageBps: 50,
      deadlineSeconds: 1200,
      all: true as const,
    };
    expect(describeAction(swapAll)).toBe(
      "Swap all your USDC for CRO (120 USDC when planned; the balance is read again when it runs)",
    );
    expect(
      describeAction(swapAll, {
        output: { amountIn: "118000000", amountOut: "1180000000000000000000" },
        cost: [],
      }),
    ).toBe("Swapped all your USDC: 118 USDC → 1180 CRO");
  });

  test("behavior: a result reads what happened, from the action's outcome", () => {
    const swap = {
      type: "swap" as const,
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn: "10000000000000000000",
      minAmountOut: "990000",
      slippageBps: 50,
      deadlineSeconds: 1200,
    };
    expect(describeAction(swap)).toBe("Swap 10 CRO for USDC (at least 0.99 USDC)");
    expect(describeAction(swap, { output: { amountOut: "99123456" }, cost: [] })).toBe(
      "Swapped 10 CRO → 99.12 USDC",
    );
    expect(
      describeAction(swap, {
        output: { pending: "0x1" },
        cost: [],
        waitFor: { token: "chain:0x1" },
      }),
    ).toBe("Swapping 10 CRO for USDC (waiting for the chain)");
    expect(
      describeAction(
        { type: "balance", tokens: [] },
        { output: { balances: [{ symbol: "USDC", amount: "1500000" }] }, cost: [] },
      ),
    ).toBe("Read the wallet's balances: 1.50 USDC");
  });

  test("behavior: market actions read as a bet, a sale and a redemption, before and after", () => {
    const bet = {
      type: "bet" as const,
      market: "cro-above-0.10-dec31",
      outcome: "Yes",
      token: "USDC",
      amount: "5000000",
      slippageBps: 50,
      expectedShares: "12345678",
      minShares: "12283949",
    };
    expect(describeAction(bet)).toBe("Bet 5 USDC on Yes in cro-above-0.10-dec31 (≈ 12.34 shares)");
    expect(describeAction(bet, { output: { shares: "12300001" }, cost: [] })).toBe(
      "Bet 5 USDC on Yes in cro-above-0.10-dec31: 12.30 shares",
    );
    const sale = {
      type: "sellShares" as const,
      market: "cro-above-0.10-dec31",
      outcome: "Yes",
      token: "USDC",
      slippageBps: 50,
      shares: "12300001",
      quotedReturn: "4810000",
    };
    expect(describeAction(sale)).toBe(
      "Sell 12.30 shares of Yes in cro-above-0.10-dec31 (≈ 4.81 USDC)",
    );
    expect(
      describeAction(sale, { output: { shares: "12290000", amount: "4786000" }, cost: [] }),
    ).toBe("Sold 12.29 shares of Yes in cro-above-0.10-dec31 for 4.78 USDC");
    const redemption = {
      type: "redeem" as const,
      market: "cro-above-0.10-dec31",
      token: "USDC",
      expectedPayout: "12300001",
    };
    expect(describeAction(redemption)).toBe("Redeem cro-above-0.10-dec31 (≈ 12.30 USDC)");
    expect(describeAction(redemption, { output: { amount: "12300001" }, cost: [] })).toBe(
      "Redeemed cro-above-0.10-dec31 for 12.30 USDC",
    );
  });

  test("behavior: every action type has a module of its own name, and its schema describes itself", () => {
    expect(Object.keys(actionModules).sort()).toEqual([...actionTypes].sort());
    for (const type of actionTypes) {
      expect(actionModules[type].type).toBe(type);
      expect(actionModules[type].schema.description).toBeTruthy();
    }
    expect(SwapAction.shape.amountIn.description).toMatch(/base units/);
    expect(Action.options).toHaveLength(actionTypes.length);
  });
});

describe("humanDecimal", () => {
  test("args: whole, two decimals rounded down, and sub-cent amounts keep their digits", () => {
    expect(humanDecimal(50_000_000n, 6)).toBe("50");
    expect(humanDecimal(100_000n, 6)).toBe("0.10");
    expect(humanDecimal(99_129_999n, 6)).toBe("99.12");
    expect(humanDecimal(1_234n, 6)).toBe("0.001234");
    expect(humanDecimal(0n, 6)).toBe("0");
  });

  test("args: addresses are checksummed and shortened", () => {
    expect(shortAddress("0x90f79bf6eb2c4f870365e785982e1f101e93b906")).toBe("0x90F7…b906");
  });
});
