import { z } from "zod";
import { BalanceModelStep } from "./balance/model.js";
import { BalanceAction } from "./balance/schema.js";
import { BetModelStep } from "./bet/model.js";
import { BetAction } from "./bet/schema.js";
import { DiscoverModelStep } from "./discover/model.js";
import { DiscoverAction } from "./discover/schema.js";
import { PayModelStep } from "./pay/model.js";
import { PayAction } from "./pay/schema.js";
import { RedeemModelStep } from "./redeem/model.js";
import { RedeemAction } from "./redeem/schema.js";
import { SellSharesModelStep } from "./sellShares/model.js";
import { SellSharesAction } from "./sellShares/schema.js";
import { SubscribeModelStep } from "./subscribe/model.js";
import { SubscribeAction } from "./subscribe/schema.js";
import { SwapModelStep } from "./swap/model.js";
import { SwapAction } from "./swap/schema.js";
import { TransferModelStep } from "./transfer/model.js";
import { TransferAction } from "./transfer/schema.js";
import { UnsubscribeModelStep } from "./unsubscribe/model.js";
import { UnsubscribeAction } from "./unsubscribe/schema.js";

/**
 * Every executable action, by its `type`, and what the language model answers for each. This file
 * holds only zod (no chain or database code), so lib/config.ts, the plan schema, the model prompt
 * and the API edge can read it without loading the modules; lib/actions/registry.ts maps each type
 * to its module, and the compiler refuses a type without one.
 */
export const Action = z
  .discriminatedUnion("type", [
    BalanceAction,
    TransferAction,
    SwapAction,
    PayAction,
    DiscoverAction,
    SubscribeAction,
    UnsubscribeAction,
    BetAction,
    SellSharesAction,
    RedeemAction,
  ])
  .describe("One executable action");
export type Action = z.infer<typeof Action>;

/** One step of a model's answer, by `kind` (the action type it plans into). */
export const ModelStep = z.discriminatedUnion("kind", [
  BalanceModelStep,
  TransferModelStep,
  PayModelStep,
  SwapModelStep,
  DiscoverModelStep,
  SubscribeModelStep,
  UnsubscribeModelStep,
  BetModelStep,
  SellSharesModelStep,
  RedeemModelStep,
]);
export type ModelStep = z.infer<typeof ModelStep>;

/** The name of an action ("swap", "pay", …): also its workflow step's name. */
export type ActionType = Action["type"];

/** The action of one type. */
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

/** Every action type, in the union's order (config allowlist, validation at the edges). */
export const actionTypes: readonly ActionType[] = Action.options.map(
  (option) => option.shape.type.value,
);

export type { DiscoverFilter } from "./discover/schema.js";
export {
  BalanceAction,
  BetAction,
  DiscoverAction,
  PayAction,
  RedeemAction,
  SellSharesAction,
  SubscribeAction,
  SwapAction,
  TransferAction,
  UnsubscribeAction,
};
