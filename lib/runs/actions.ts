import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { Action } from "../agent/plan.js";
import { type ChainContext, getChainContext } from "../chain/clients.js";
import { TransactionPendingError } from "../chain/errors.js";
import { getBalances } from "../chain/getBalances.js";
import { priceUsd } from "../chain/priceUsd.js";
import { requireToken } from "../chain/registry.js";
import { swapExactIn } from "../chain/swapExactIn.js";
import { transferToken } from "../chain/transferToken.js";
import { getConfig } from "../config.js";
import type { Database, Run } from "../db/database.js";
import { isErrorNamed } from "../errors/index.js";
import { discoverServices } from "../registry/discoverServices.js";
import { recordOutcome } from "../registry/recordOutcome.js";
import { assertPublicUrl } from "../security/assertPublicUrl.js";
import { cancelSubscription } from "../subscriptions/cancelSubscription.js";
import { startSubscription } from "../subscriptions/startSubscription.js";
import { executePayment } from "../x402/executePayment.js";
import { maxSpendOf, type Spend } from "./budget.js";
import type { CostItem } from "./cost.js";
import { wakeTokens } from "./wake/wakes.js";

/** Everything an action returns to be recorded in the execution log. Outputs stay small. */
export interface ActionOutcome {
  output: unknown;
  txHashes?: string[];
  cost: CostItem[];
  /** What really left the wallet, when it differs from the reservation (e.g. an x402 price below max). */
  spent?: { amount: bigint; usdAmount?: string };
  /** Set when the action is waiting for a chain or payment event (see the workflow's hooks). */
  waitFor?: { token: string };
}

export interface PerformActionParameters {
  run: Run;
  stepId: string;
  index: number;
  action: Action;
  /** The spend reserved for this action (spendOf), so the limit is not worked out twice. */
  spend?: Spend;
}

/** Largest paid response body kept in a run's result. */
const maxBodyInResult = 32 * 1024;

/** The spend an action reserves before it starts, with its USD value when a price is known. */
export async function spendOf(
  action: Action,
  run: Run,
  db: Kysely<Database>,
): Promise<Spend | undefined> {
  const spend =
    action.type === "subscribe"
      ? await subscriptionPrice(db, action.serviceId)
      : maxSpendOf(action);
  if (!spend) return undefined;
  const amount = action.type === "pay" ? await payLimit(db, run, action) : spend.amount;
  const usdAmount = await usdValue(getChainContext(), spend.token, amount);
  return { token: requireToken(getChainContext().network, spend.token).symbol, amount, usdAmount };
}

/** A subscription's first period costs the service's price. */
async function subscriptionPrice(
  db: Kysely<Database>,
  serviceId: string,
): Promise<{ token: string; amount: bigint } | undefined> {
  const service = await db
    .selectFrom("services")
    .select(["price_amount", "price_asset"])
    .where("id", "=", serviceId)
    .executeTakeFirst();
  if (!service) return undefined;
  return { token: service.price_asset, amount: BigInt(service.price_amount) };
}

/** Runs one action against the chain, x402 or the registry. Idempotent per stepId. */
export async function performAction(
  db: Kysely<Database>,
  parameters: PerformActionParameters,
): Promise<ActionOutcome> {
  const { action, run, stepId } = parameters;
  const chain = getChainContext();
  switch (action.type) {
    case "balance": {
      const result = await getBalances(chain, {
        tokens: action.tokens.length ? action.tokens : chain.registry.tokens.map((t) => t.symbol),
        address: action.address as Address | undefined,
      });
      return { output: result, cost: [] };
    }
    case "transfer":
      return waitingOnChain(async () => {
        const sent = await transferToken(chain, db, {
          receiptTimeoutMs: getConfig().CHAIN_INLINE_WAIT_MS,
          stepId,
          runId: run.id,
          token: action.token,
          to: action.to as Address,
          amount: action.amount,
        });
        return {
          output: {
            hash: sent.hash,
            token: sent.token,
            to: sent.to,
            amount: sent.amount,
            blockNumber: sent.blockNumber,
            reused: sent.reused,
          },
          txHashes: [sent.hash],
          cost: [await gasCost(chain, sent.gasCost)],
        };
      });
    case "swap":
      return waitingOnChain(async () => {
        const swapped = await swapExactIn(chain, db, {
          receiptTimeoutMs: getConfig().CHAIN_INLINE_WAIT_MS,
          stepId,
          runId: run.id,
          tokenIn: action.tokenIn,
          tokenOut: action.tokenOut,
          amountIn: action.amountIn,
          slippageBps: action.slippageBps,
          deadlineSeconds: action.deadlineSeconds,
          // The plan's floor (e.g. "buy 100 USDC with CRO" must yield 100 USDC) binds the router too.
          ...(action.minAmountOut ? { minAmountOut: action.minAmountOut } : {}),
        });
        const hashes = swapped.approvalHash ? [swapped.approvalHash, swapped.hash] : [swapped.hash];
        return {
          output: {
            tokenIn: action.tokenIn,
            tokenOut: action.tokenOut,
            amountIn: swapped.amountIn,
            amountOut: swapped.amountOut,
            quotedAmountOut: swapped.quotedAmountOut,
            amountOutMin: swapped.amountOutMin,
            priceImpactBps: swapped.priceImpactBps,
            hash: swapped.hash,
            reused: swapped.reused,
          },
          txHashes: hashes,
          cost: [await gasCost(chain, swapped.gasCost)],
        };
      });
    case "pay":
      return pay(db, chain, parameters, action);
    case "discover": {
      const { services } = await discoverServices(db, {
        category: action.filter.category,
        q: action.filter.query,
        maxPrice: action.filter.maxPrice?.amount,
        minReputation: action.filter.minReputation,
        mcp: action.filter.mcp,
        limit: 20,
      });
      return {
        output: {
          services: services.map((s) => ({
            id: s.id,
            name: s.name,
            category: s.category,
            endpoint: s.endpoint,
            price: s.price,
            reputation: s.reputation,
            mcp: s.mcpCompatible,
          })),
        },
        cost: [],
      };
    }
    case "subscribe":
      return {
        output: await startSubscription(db, {
          run,
          stepId,
          serviceId: action.serviceId,
          period: action.period,
        }),
        cost: [],
      };
    case "unsubscribe": {
      const active = await db
        .selectFrom("service_subscriptions")
        .select("id")
        .where("session_id", "=", run.session_id)
        .where("service_id", "=", action.serviceId)
        .where("status", "=", "active")
        .executeTakeFirst();
      if (!active)
        return { output: { cancelled: false, reason: "no active subscription" }, cost: [] };
      return {
        output: { cancelled: true, subscription: await cancelSubscription(db, active.id) },
        cost: [],
      };
    }
  }
}

/** USD value of an amount, or undefined when no price is known (costs then stay in their own unit). */
export async function usdValue(
  chain: ChainContext,
  token: string,
  amount: bigint | string,
): Promise<string | undefined> {
  try {
    return (await priceUsd(chain, { token, amount })).usd;
  } catch {
    return undefined;
  }
}

/** Chain actions wait for their receipt inline briefly; a slow chain turns into a hook wait. */
async function waitingOnChain(send: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
  try {
    return await send();
  } catch (error) {
    if (
      error instanceof TransactionPendingError ||
      isErrorNamed(error, "TransactionPendingError")
    ) {
      const hash = (error as TransactionPendingError).hash;
      return {
        output: { pending: hash },
        txHashes: [hash],
        cost: [],
        waitFor: { token: wakeTokens.chain(hash) },
      };
    }
    throw error;
  }
}

async function gasCost(chain: ChainContext, wei: string | bigint): Promise<CostItem> {
  const amount = BigInt(wei);
  const usd = await usdValue(chain, "CRO", amount);
  return { kind: "gas", unit: "CRO", amount: amount.toString(), ...(usd ? { usd } : {}) };
}

/**
 * The most a payment may cost: its planned maximum, capped by what the swap feeding it produced
 * (swap-then-pay), so the payment can never spend more than the swap brought in.
 */
async function payLimit(
  db: Kysely<Database>,
  run: Run,
  action: Extract<Action, { type: "pay" }>,
): Promise<bigint> {
  const max = BigInt(action.maxAmount);
  if (action.amountFromStep === undefined) return max;
  const feeding = await db
    .selectFrom("run_steps")
    .select("output")
    .where("run_id", "=", run.id)
    .where("step_index", "=", action.amountFromStep)
    .executeTakeFirst();
  const produced = (feeding?.output as { amountOut?: string } | null)?.amountOut;
  if (produced === undefined) return max;
  return BigInt(produced) < max ? BigInt(produced) : max;
}

async function pay(
  db: Kysely<Database>,
  chain: ChainContext,
  parameters: PerformActionParameters,
  action: Extract<Action, { type: "pay" }>,
): Promise<ActionOutcome> {
  const { run, stepId } = parameters;
  // The URL comes from the user (or a model): never let it point the server at internal hosts.
  await assertPublicUrl(action.url);
  const token = requireToken(chain.network, action.token);
  const allowedAssets = chain.registry.tokens
    .filter((t) => t.address !== "native" && t.eip712)
    .map((t) => ({ address: t.address as Address, symbol: t.symbol }));
  let outcome: Awaited<ReturnType<typeof executePayment>>;
  try {
    outcome = await executePayment({
      db,
      runId: run.id,
      stepId,
      sessionId: run.session_id,
      serviceId: action.serviceId ?? null,
      url: action.url,
      maxAmount: parameters.spend?.amount ?? (await payLimit(db, run, action)),
      token: token.symbol,
      allowedAssets,
      account: chain.account,
      publicClient: chain.publicClient,
    });
  } catch (error) {
    if (action.serviceId)
      await recordOutcome(db, action.serviceId, { success: false }).catch(() => {});
    throw error;
  }
  const success = (outcome.content?.status ?? 200) < 300;
  if (action.serviceId && outcome.movedMoney)
    await recordOutcome(db, action.serviceId, { success }).catch(() => {});
  const usd = await usdValue(chain, token.symbol, outcome.amount);
  const content = outcome.content;
  return {
    output: {
      paymentId: outcome.paymentId,
      via: outcome.via,
      amount: outcome.amount,
      token: token.symbol,
      payTo: outcome.payTo,
      transaction: outcome.transaction,
      response: content
        ? {
            status: content.status,
            contentType: content.contentType,
            body:
              content.body.length > maxBodyInResult
                ? content.body.slice(0, maxBodyInResult)
                : content.body,
            truncated: content.truncated || content.body.length > maxBodyInResult,
          }
        : null,
    },
    txHashes: outcome.transaction ? [outcome.transaction] : [],
    cost: [
      {
        kind: "x402",
        unit: token.symbol,
        amount: outcome.amount,
        ...(usd ? { usd } : {}),
        detail: action.url,
      },
    ],
    spent: { amount: BigInt(outcome.amount), ...(usd ? { usdAmount: usd } : {}) },
  };
}
