import type { WholeBalance } from "../actions/readWholeBalance.js";
import { actionTypeOf, getActionModule } from "../actions/registry.js";
import type { Draft, PlanState } from "../actions/types.js";
import type { PlannerMarkets } from "../markets/plannerMarkets.js";
import type { PriceSide } from "../policy/amounts.js";
import { PlanError } from "./errors.js";
import type { Budget, Command, TokenAmount } from "./intent.js";
import { readCommandText } from "./model/readCommandText.js";
import type { DiscoverFilter, Plan } from "./plan.js";
import { addBalanceCheck } from "./planning/addBalanceCheck.js";
import { checkBudget } from "./planning/checkBudget.js";
import { flagApprovals } from "./planning/flagApprovals.js";
import { flagModelReading } from "./planning/flagModelReading.js";
import type { TokenList } from "./tokens.js";

type Awaitable<T> = T | Promise<T>;

/** A catalogue entry the planner can pay, subscribe to or choose between. */
export interface ServiceInfo {
  id: string;
  name: string;
  endpoint: string;
  category: string;
  price: TokenAmount;
  reputation: number;
  mcp: boolean;
}

/** Everything the planner needs from the outside world; the workflow passes real lookups. */
export interface PlannerContext {
  tokens: TokenList;
  findService(nameOrUrl: string): Awaitable<ServiceInfo | undefined>;
  discoverServices(filter: DiscoverFilter): Awaitable<ServiceInfo[]>;
  /**
   * Decimal USD value of `amount` base units of `token`; undefined when no price is known. `side`
   * (default "spend") is which way the price may err: "limit" values the size of a budget or limit
   * held in the token, where a lower price is the strict one (lib/policy PriceSide).
   */
  priceUsd(token: string, amount: string, side?: PriceSide): Awaitable<string | undefined>;
  /** Exact-in quote in base units. */
  quoteSwap(parameters: {
    tokenIn: string;
    tokenOut: string;
    amountIn: string;
  }): Awaitable<{ amountOut: string }>;
  /** Optional exact-out quote (router getAmountsIn); searched with quoteSwap when absent. */
  quoteSwapExactOut?(parameters: {
    tokenIn: string;
    tokenOut: string;
    amountOut: string;
  }): Awaitable<{ amountIn: string }>;
  /**
   * Why a swap's pool must not be traded now (it pays far below its recent average: pushed, as a
   * sandwich or a flash loan would), or undefined; absent where the caller has no chain. The swap
   * step checks again when it sends.
   */
  checkSwapPrice?(parameters: {
    tokenIn: string;
    tokenOut: string;
    amountIn: string;
  }): Awaitable<string | undefined>;
  /** Actions worth more than this many US dollars need approval. */
  approvalThresholdUsd: string;
  /** Session budget still available (base units), applied together with the command's budget. */
  budget?: TokenAmount;
  /**
   * "All" of a token in the agent wallet now: its balance minus a gas reserve for the gas token
   * (grammar, issue 19). Absent → whole-balance commands cannot be planned.
   */
  readWholeBalance?(token: string): Awaitable<WholeBalance>;
  /**
   * The live x402 price of a URL the registry does not know, probed without paying (grammar,
   * issue 19). Absent → such a URL needs an amount or a cap.
   */
  probePrice?(url: string): Awaitable<TokenAmount>;
  /** Action types the session may run; everything when absent. */
  allowedActions?: string[];
  /**
   * Whether the key's policy lets the agent read balances. The planner reads them before the first
   * spend (a balance action it adds) only then: under a policy without `balance` that read would be
   * refused and fail every spending command, and it is a record for the log, not a safeguard (each
   * spend checks its own funds). True when absent.
   */
  policyAllowsBalance?: boolean;
  defaultSlippageBps?: number;
  defaultDeadlineSeconds?: number;
  /** markets (issue 19): prediction-market reads (lib/markets); absent where the caller has none. */
  markets?: PlannerMarkets;
}

/** Default swap slippage tolerance (0.5%). */
export const DEFAULT_SLIPPAGE_BPS = 50;
/** Default swap deadline (20 minutes). */
export const DEFAULT_DEADLINE_SECONDS = 1200;

/** Options of planCommand. */
export interface PlanCommandOptions {
  /**
   * The command as the user wrote it. A command a language model read (understoodBy "model") is
   * checked against it; without it every money-moving value the model read needs approval.
   */
  text?: string;
}

/**
 * Turns a parsed command into executable actions: each intent is planned by its action's module
 * (resolving services, quoting swaps, binding swap outputs and discovered services to payments),
 * then a balance check goes before the first spend, budgets are enforced (refusing with PlanError
 * before anything runs) and approvals are flagged. A model's reading needs approval for every
 * step that moves money on a value the command's text does not say (flagModelReading).
 */
export async function planCommand(
  command: Command,
  ctx: PlannerContext,
  options: PlanCommandOptions = {},
): Promise<Plan> {
  const state: PlanState = {
    context: ctx,
    drafts: [],
    budgets: [command.budget, ctx.budget].filter((b): b is Budget => b !== undefined),
    explanation: [],
  };
  const allowed = ctx.allowedActions ? new Set(ctx.allowedActions) : undefined;
  const byModel = command.understoodBy === "model";
  const text = byModel ? readCommandText(options.text ?? "", ctx.tokens) : undefined;
  if (byModel) {
    state.explanation.push(
      "Read by the language model (the grammar did not recognise the phrasing): a step that moves money on an amount, recipient, URL, token or service the command does not say needs approval.",
    );
  }

  for (const intent of command.steps) {
    const draft: Draft = await getActionModule(actionTypeOf(intent.kind)).plan(
      intent as never,
      state,
    );
    if (allowed && !allowed.has(draft.action.type)) {
      throw new PlanError(`This session may not run ${draft.action.type} actions`, {
        suggestions: [`Allowed: ${[...allowed].join(", ") || "none"}`],
        kind: "refused",
      });
    }
    if (text) flagModelReading(draft, intent, text, ctx.tokens);
    state.drafts.push(draft);
  }

  if ((!allowed || allowed.has("balance")) && ctx.policyAllowsBalance !== false)
    addBalanceCheck(state.drafts);
  for (const budget of state.budgets)
    state.explanation.push(await checkBudget(ctx, budget, state.drafts));

  const actions = await flagApprovals(ctx, state.drafts);
  const budget = command.budget ?? ctx.budget;
  return {
    actions,
    ...(budget ? { budget } : {}),
    explanation: state.explanation,
    ...(byModel ? { understoodBy: "model" as const } : {}),
  };
}
