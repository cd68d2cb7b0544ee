import type { Intent } from "../agent/intent.js";
import { balance } from "./balance/index.js";
import { bet } from "./bet/index.js";
import { discover } from "./discover/index.js";
import { pay } from "./pay/index.js";
import { redeem } from "./redeem/index.js";
import type { Action, ActionType } from "./schemas.js";
import { sellShares } from "./sellShares/index.js";
import { subscribe } from "./subscribe/index.js";
import { swap } from "./swap/index.js";
import { transfer } from "./transfer/index.js";
import type { ActionModule, ActionOutcome, IntentAliases } from "./types.js";
import { unsubscribe } from "./unsubscribe/index.js";

/**
 * Every action's module, by type: the planner loop, the policy gate, step dispatch and the
 * allowlist read this map. Adding an action is one folder, its schema in schemas.ts and one line
 * here (the type refuses a missing or mismatched entry), plus its workflow step file.
 */
export const actionModules: { [T in ActionType]: ActionModule<T> } = {
  balance,
  transfer,
  swap,
  pay,
  discover,
  subscribe,
  unsubscribe,
  bet,
  sellShares,
  redeem,
};

/**
 * The module of an action type: the one place that dispatches on an action's type. Call its
 * methods only with an action (or intent) of that same type.
 */
export function getActionModule<T extends ActionType>(type: T): ActionModule<T> {
  return actionModules[type] as ActionModule<T>;
}

const intentAliases: IntentAliases = { transferAll: "transfer", swapAll: "swap" };

/** The action type whose module plans an intent kind: its own name, or the one it is an alias of. */
export function actionTypeOf(kind: Intent["kind"]): ActionType {
  return kind in intentAliases ? intentAliases[kind as keyof IntentAliases] : (kind as ActionType);
}

/** The human line for an action, or for what it did given its outcome (see ActionModule.describe). */
export function describeAction(action: Action, outcome?: ActionOutcome): string {
  return getActionModule<ActionType>(action.type).describe(action, outcome);
}
