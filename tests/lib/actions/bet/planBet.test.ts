import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PlanError } from "../../../../lib/agent/errors.js";
import { parseCommand } from "../../../../lib/agent/grammar/parseCommand.js";
import { type PlannerContext, planCommand } from "../../../../lib/agent/planner.js";
import { type ChainContext, createChainContext } from "../../../../lib/chain/clients.js";
import { plannerMarkets } from "../../../../lib/markets/plannerMarkets.js";
import { quoteBuy } from "../../../../lib/markets/quoteBuy.js";
import { startTestDevnet, type TestDevnet } from "../../../helpers/devnet.js";
import { tokens } from "../../agent/fixtures.js";

/**
 * Planning market commands against the real devnet markets (quotes from the FPMM contracts):
 * the bet's floor, its spend under budgets and the approval threshold, and the refusals that
 * happen before anything is sent. USDC is valued 1:1 here; services are not involved.
 */
const MARKET = "cro-above-0.10-dec31";
let devnet: TestDevnet;
let chain: ChainContext;

beforeAll(async () => {
  devnet = await startTestDevnet();
  chain = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
});
afterAll(async () => {
  await devnet?.stop();
});

function context(overrides: Partial<PlannerContext> = {}): PlannerContext {
  return {
    tokens,
    findService: () => undefined,
    discoverServices: () => [],
    priceUsd: (token, amount) =>
      token === "USDC"
        ? `${BigInt(amount) / 1_000_000n}.${(BigInt(amount) % 1_000_000n).toString().padStart(6, "0")}`
        : undefined,
    quoteSwap: () => {
      throw new Error("no swaps in these tests");
    },
    approvalThresholdUsd: "10",
    markets: plannerMarkets(chain),
    ...overrides,
  };
}

const plan = (text: string, ctx: PlannerContext = context()) =>
  planCommand(parseCommand(text, { tokens }), ctx);

describe("planning bets", () => {
  test("behavior: a bet is quoted on chain (calcBuyAmount less 0.5%), spends its collateral after a balance check", async () => {
    const result = await plan(`bet 5 USDC on yes in ${MARKET}`);
    const quote = await quoteBuy(chain, {
      market: MARKET,
      outcome: "yes",
      amount: 5_000_000n,
      slippageBps: 50,
    });
    expect(result.actions).toEqual([
      expect.objectContaining({
        index: 0,
        action: { type: "balance", tokens: ["USDC"] },
        requiresApproval: false,
      }),
      {
        index: 1,
        action: {
          type: "bet",
          market: MARKET,
          outcome: "Yes",
          token: "USDC",
          amount: "5000000",
          slippageBps: 50,
          expectedShares: quote.expectedShares,
          minShares: quote.minShares,
        },
        requiresApproval: false,
        usdValue: expect.stringMatching(/^5(\.0+)?$/),
      },
    ]);
    expect(BigInt(quote.minShares)).toBe((BigInt(quote.expectedShares) * 9_950n) / 10_000n);
  });

  test("behavior: the market's question names it as well as its short name", async () => {
    const result = await plan(
      'bet 5 USDC on no in "Will CRO/USDC on the devnet pool close above 0.10 on 2026-12-31?"',
    );
    expect(result.actions[1]?.action).toMatchObject({ type: "bet", market: MARKET, outcome: "No" });
  });

  test("behavior: a bet worth more than the approval threshold needs approval", async () => {
    const result = await plan(`bet 25 USDC on yes in ${MARKET}`);
    expect(result.actions[1]).toMatchObject({ requiresApproval: true });
  });

  test("error: a bet over the command's budget is refused before anything runs", async () => {
    await expect(plan(`bet 5 USDC on yes in ${MARKET} with a budget of 2 USDC`)).rejects.toThrow(
      PlanError,
    );
  });

  test("error: an unknown market names the known ones; a bet in another collateral is refused", async () => {
    await expect(plan("bet 5 USDC on yes in no-such-market")).rejects.toThrow(
      /Known markets: cro-above/,
    );
    await expect(plan(`bet 5 USDT on yes in ${MARKET}`)).rejects.toThrow(
      /trades in USDC, not USDT/,
    );
  });

  test("error: without market reads (or on a network without a deployment) nothing is planned", async () => {
    await expect(
      plan(`bet 5 USDC on yes in ${MARKET}`, context({ markets: undefined })),
    ).rejects.toThrow(/not available/);
    const cronos = createChainContext({
      network: "cronos",
      rpcUrl: devnet.rpcUrl,
      // A throwaway key: nothing is signed, the registry refuses first.
      privateKey: `0x${"11".repeat(32)}`,
    });
    await expect(
      plan(`bet 5 USDC on yes in ${MARKET}`, context({ markets: plannerMarkets(cronos) })),
    ).rejects.toThrow(/not available on cronos/);
  });

  test("error: selling shares the wallet does not hold, or redeeming an open market, is refused at planning", async () => {
    await expect(plan(`sell my no shares in ${MARKET}`)).rejects.toThrow(/No "No" shares/);
    await expect(plan(`redeem ${MARKET}`)).rejects.toThrow(/No shares in cro-above-0.10-dec31/);
  });
});
