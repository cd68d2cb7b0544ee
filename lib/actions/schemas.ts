import { z } from "zod";
import { BalanceAction } from "./balance/schema.js";
import { DiscoverAction } from "./discover/schema.js";
import { PayAction } from "./pay/schema.js";
import { SubscribeAction } from "./subscribe/schema.js";
import { SwapAction } from "./swap/schema.js";
import { TransferAction } from "./transfer/schema.js";
import { UnsubscribeAction } from "./unsubscribe/schema.js";

/**
 * Every executable action, by its `type`. This file holds only zod (no chain or database code), so
 * lib/config.ts, the plan schema and the API edge can read it without loading the modules;
 * lib/actions/registry.ts maps each type to its module, and the compiler refuses a type without one.
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
  ])
  .describe("One executable action");
export type Action = z.infer<typeof Action>;

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
  DiscoverAction,
  PayAction,
  SubscribeAction,
  SwapAction,
  TransferAction,
  UnsubscribeAction,
};
