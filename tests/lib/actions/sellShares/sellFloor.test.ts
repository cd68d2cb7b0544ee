import { createWalletClient, erc20Abi, http, parseUnits } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
// Through the registry, as runs reach it: importing the module first would load it before the
// planner it plans with (an import cycle through the registry).
import { getActionModule } from "../../../../lib/actions/registry.js";
import type { SellSharesAction } from "../../../../lib/actions/sellShares/schema.js";
import { parseCommand } from "../../../../lib/agent/grammar/parseCommand.js";
import { type PlannerContext, planCommand } from "../../../../lib/agent/planner.js";
import { type ChainContext, createChainContext } from "../../../../lib/chain/clients.js";
import { fixtureArtifacts } from "../../../../lib/chain/devnet/artifacts.js";
import type { Run } from "../../../../lib/db/database.js";
import { fpmmAbi } from "../../../../lib/markets/abis.js";
import { buyOutcome } from "../../../../lib/markets/buyOutcome.js";
import { plannerMarkets } from "../../../../lib/markets/plannerMarkets.js";
import { quoteSell } from "../../../../lib/markets/quoteSell.js";
import { readMarketState } from "../../../../lib/markets/readMarketState.js";
import { requireMarket } from "../../../../lib/markets/requireMarket.js";
import { lessSlippage } from "../../../../lib/markets/slippage.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../../helpers/devnet.js";
import { tokens } from "../../agent/fixtures.js";

/**
 * A planned sale keeps the floor its plan showed ("at least R with 0.5% slippage"): the quote it
 * was planned at less its slippage. A market pushed between planning and the step is refused (the
 * bet's minShares works the same way), or, pushed a little, sold at no less than that floor.
 */
const MARKET = "cro-above-0.10-dec31";
let devnet: TestDevnet;
let db: TestDb;
let chain: ChainContext;

beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  chain = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
});
afterAll(async () => {
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

const plannerContext = (): PlannerContext => ({
  tokens,
  findService: () => undefined,
  discoverServices: () => [],
  priceUsd: () => "1",
  quoteSwap: () => {
    throw new Error("no swaps in these tests");
  },
  approvalThresholdUsd: "1000",
  markets: plannerMarkets(chain),
});

/** The sale the planner makes of "sell my yes shares". */
async function planSale(): Promise<SellSharesAction> {
  const plan = await planCommand(
    parseCommand(`sell my yes shares in ${MARKET}`, { tokens }),
    plannerContext(),
  );
  const action = plan.actions.find((planned) => planned.action.type === "sellShares")?.action;
  if (action?.type !== "sellShares") throw new Error("no sale planned");
  return action;
}

/** Another account buys `amount` of collateral worth of No: the agent's Yes shares fetch less. */
async function pushMarket(amount: bigint): Promise<void> {
  const market = requireMarket(chain, MARKET);
  const wallet = (privateKey: `0x${string}`) =>
    createWalletClient({
      account: privateKeyToAccount(privateKey),
      chain: chain.chain,
      transport: http(devnet.rpcUrl),
    });
  const deployer = wallet(devnet.accounts.deployer.privateKey);
  const pusher = wallet(devnet.accounts.merchant.privateKey);
  const mined = async (hash: `0x${string}`) => {
    await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  };
  await mined(
    await deployer.writeContract({
      address: devnet.addresses.usdc,
      abi: fixtureArtifacts().paygentUsd.abi,
      functionName: "mint",
      args: [devnet.accounts.merchant.address, amount],
    }),
  );
  await mined(
    await pusher.writeContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "approve",
      args: [market.fpmm, amount],
    }),
  );
  await mined(
    await pusher.writeContract({
      address: market.fpmm,
      abi: fpmmAbi,
      functionName: "buy",
      args: [amount, 1n, 0n],
    }),
  );
}

const yesShares = async (): Promise<bigint> => {
  const state = await readMarketState(chain, {
    market: requireMarket(chain, MARKET),
    owner: devnet.accounts.agent.address,
  });
  return state.ownerShares?.[0] ?? 0n;
};
const nonce = () => chain.publicClient.getTransactionCount({ address: chain.account.address });
const perform = (action: SellSharesAction, stepId: string) =>
  getActionModule("sellShares").perform(
    { db: db.db, run: { id: "run-sell-floor" } as Run, chain },
    action,
    {
      stepId,
      index: 0,
    },
  );

describe("a planned sale's floor", () => {
  test("behavior: a market pushed a little is sold at the plan's floor, not the fresh quote's", async () => {
    await buyOutcome(chain, db.db, {
      stepId: "floor-hold-1",
      market: MARKET,
      outcome: "Yes",
      amount: parseUnits("50", 6),
      slippageBps: 100,
    });
    const action = await planSale();
    const floor = lessSlippage(BigInt(action.quotedReturn as string), action.slippageBps);
    await pushMarket(parseUnits("0.2", 6));
    // The push left the shares worth more than the plan's floor, but the fresh quote's own
    // slippage floor fell below it: only the plan's floor keeps the sale where the user saw it.
    const fresh = await quoteSell(chain, {
      market: MARKET,
      outcome: "Yes",
      shares: "all",
      slippageBps: action.slippageBps,
    });
    expect(BigInt(fresh.quotedReturn)).toBeGreaterThanOrEqual(floor);
    expect(BigInt(fresh.returnAmount)).toBeLessThan(floor);

    const outcome = await perform(action, "floor-sale-1");
    expect(outcome.waitFor).toBeUndefined();
    expect(outcome.output).toMatchObject({ amount: floor.toString() });
  });

  test("error: a market pushed below the plan's floor is refused, nothing sent (not even the approval)", async () => {
    await buyOutcome(chain, db.db, {
      stepId: "floor-hold-2",
      market: MARKET,
      outcome: "Yes",
      amount: parseUnits("50", 6),
      slippageBps: 100,
    });
    const action = await planSale();
    await pushMarket(parseUnits("3000", 6));
    const [sharesBefore, nonceBefore] = await Promise.all([yesShares(), nonce()]);

    await expect(perform(action, "floor-sale-2")).rejects.toMatchObject({
      name: "SlippageExceededError",
      kind: "refused",
      message: expect.stringMatching(/less than the minimum \d+ the plan allows; nothing was sent/),
    });
    expect(await yesShares()).toBe(sharesBefore);
    expect(await nonce()).toBe(nonceBefore);
    const rows = await db.db
      .selectFrom("chain_transactions")
      .select("hash")
      .where("step_id", "in", ["floor-sale-2", "floor-sale-2:approve"])
      .execute();
    expect(rows).toEqual([]);
  });
});
