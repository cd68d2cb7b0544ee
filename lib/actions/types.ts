import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Budget, Intent } from "../agent/intent.js";
import type { PlannerContext, ServiceInfo } from "../agent/planner.js";
import type { TokenList } from "../agent/tokens.js";
import type { ChainContext } from "../chain/clients.js";
import type { Database, Run } from "../db/database.js";
import type { PayeeGuard } from "../policy/guardPayee.js";
import type { CostItem } from "../runs/cost.js";
import type { Action, ActionOf, ActionType, DiscoverFilter, ModelStep } from "./schemas.js";

/** A token amount in base units. */
export interface TokenSpend {
  token: string;
  amount: bigint;
}

/** What an action may spend at most: the amount the budget must hold before it starts. */
export interface Spend extends TokenSpend {
  /** Decimal US-dollar value, when a price is known. */
  usdAmount?: string;
}

/**
 * Intent kinds planned by another action's module: the whole-balance forms ("send all my CRO") are
 * transfers and swaps whose amount is read from the chain (lib/actions/registry.ts maps them).
 */
export interface IntentAliases {
  transferAll: "transfer";
  swapAll: "swap";
}

type AliasesOf<T extends ActionType> = {
  [K in keyof IntentAliases]: IntentAliases[K] extends T ? K : never;
}[keyof IntentAliases];

/** The intents (what the user asked) that plan into an action of type T: its own and its aliases. */
export type IntentOf<T extends ActionType> = Extract<Intent, { kind: T | AliasesOf<T> }>;

/**
 * One action as planned, before positions and approval flags are settled. Modules fill in what
 * the planner's generic passes need, so the planner never asks which type an action is.
 */
export interface Draft {
  action: Action;
  /** Token amount this action takes out of the wallet (budgets, balance check); absent for reads and swap-funded payments. */
  spend?: TokenSpend;
  /** What the action is worth for the approval threshold, when that differs from `spend`. */
  value?: TokenSpend;
  /** USD value decided by the module (fixed-point, 18 decimals), e.g. a subscription's price. */
  usd?: bigint;
  /** True when the action moves money even without a token value (a subscription). */
  movesMoney?: boolean;
  /** The earlier draft whose output pays for this one (swap-then-pay). */
  fundedBy?: Draft;
  /** The token this action brings into the wallet and the least it yields (a swap's output). */
  produces?: TokenSpend;
  /** Which balances this draft reads in the agent wallet ("all" for every token). */
  checksBalances?: string[] | "all";
  reason?: string;
  /** Why this action needs a person's approval whatever its value (e.g. it moves a whole balance). */
  alwaysApprove?: string;
}

/** A catalogue search the next payment may choose from. */
export interface DiscoveryState {
  candidates: ServiceInfo[];
  filter: DiscoverFilter;
}

/** The planner loop's state, shared with each module's `plan`. */
export interface PlanState {
  context: PlannerContext;
  /** Drafts planned so far, in order. */
  drafts: Draft[];
  /** The command's budget and the session's, each enforced on the whole plan. */
  budgets: Budget[];
  /** The latest catalogue search, until a payment consumes it. */
  discovery?: DiscoveryState;
  /** Lines that explain the plan's choices to a person. */
  explanation: string[];
}

/** Where an action runs: the database, the run it belongs to and the chain clients. */
export interface ActionContext {
  db: Kysely<Database>;
  run: Run;
  chain: ChainContext;
}

/** Identifies one execution of an action: money moves at most once per stepId. */
export interface PerformOptions {
  /** `${runId}:${index}`: the key of its chain transactions, x402 nonce and budget reservation. */
  stepId: string;
  index: number;
  /** The spend reserved for this action (maxSpend), so the limit is not worked out twice. */
  spend?: Spend;
  /**
   * The key's payee rules for a payee only the payment's terms name (an x402 payTo): pass it to
   * executePayment, which runs it before signing (lib/policy guardPayee).
   */
  checkPayee?: PayeeGuard;
}

/** Everything an action returns to be recorded in the execution log. Outputs stay small. */
export interface ActionOutcome {
  output: unknown;
  txHashes?: string[];
  cost: CostItem[];
  /**
   * What really left the wallet, when it differs from the reservation (e.g. an x402 price below
   * max). Its dollars are the reservation's, scaled: limits count a spend at its held price.
   */
  spent?: { amount: bigint };
  /** Set when the action is waiting for a chain or payment event (see the workflow's hooks). */
  waitFor?: { token: string };
}

/**
 * One action, end to end: its schema, how an intent plans into it, what it may spend, how it is
 * performed and how it reads to a person. lib/actions/registry.ts maps every type to its module.
 */
export interface ActionModule<T extends ActionType = ActionType> {
  type: T;
  /** The executable action's schema; its .describe() texts serve the model, OpenAPI and MCP tools. */
  schema: z.ZodType<ActionOf<T>>;
  /**
   * Converts the language model's answer for this step (ModelStep of this kind: decimals and
   * symbols as the user wrote them) into the intent the planner takes (base units, known symbols).
   */
  fromModel(step: Extract<ModelStep, { kind: T }>, tokens: TokenList): IntentOf<T>;
  /** Plans an intent of the same name (reading and extending the planner's state). */
  plan(intent: IntentOf<T>, state: PlanState): Promise<Draft>;
  /**
   * The most the action can take out of the wallet (budgets and policy); undefined when it moves no
   * money. `stepId` is given when the step is about to run (an "all" action answers the same amount
   * on every attempt of its step).
   */
  maxSpend(
    action: ActionOf<T>,
    context: ActionContext,
    options?: { stepId?: string },
  ): Promise<Spend | undefined>;
  /** Performs the action; idempotent per `stepId` (a retry never moves money twice). */
  perform(
    context: ActionContext,
    action: ActionOf<T>,
    options: PerformOptions,
  ): Promise<ActionOutcome>;
  /**
   * One line for a person, in human units: what the action will do ("Send 50 USDC to 0x90F7…b906")
   * or, given its outcome, what it did ("Swapped 10 CRO → 99.12 USDC").
   */
  describe(action: ActionOf<T>, outcome?: ActionOutcome): string;
}
