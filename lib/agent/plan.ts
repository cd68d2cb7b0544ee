import { z } from "zod";
import { Action } from "../actions/schemas.js";
import { Budget, UnderstoodBy } from "./intent.js";

/**
 * What the workflow will execute: concrete actions (schemas in lib/actions/<type>/schema.ts) with
 * resolved services, quoted swaps and per-action approval flags. Amounts are base-unit strings.
 */

export {
  Action,
  type ActionOf,
  type ActionType,
  BalanceAction,
  DiscoverAction,
  type DiscoverFilter,
  PayAction,
  SubscribeAction,
  SwapAction,
  TransferAction,
  UnsubscribeAction,
} from "../actions/schemas.js";

/** An action with its position, approval flag and the dollar value that decided it. */
export const PlannedAction = z.object({
  index: z.number().int().min(0),
  action: Action,
  requiresApproval: z.boolean(),
  usdValue: z.string().optional().describe("Decimal US-dollar value of what the action spends"),
  reason: z.string().optional().describe("Why the action is there or why it needs approval"),
  /** Set when the key's policy holds the action (lib/runs/execute/applyPolicyToPlan.ts). */
  hold: z
    .object({
      requiredApprovals: z.number().int(),
      approvers: z.enum(["assigned", "any"]),
      expiresInSeconds: z.number().int().nullable(),
      rule: z.string(),
      message: z.string(),
      policyId: z.string(),
      policyVersion: z.number().int().nullable(),
      usdMicros: z.string().nullable(),
    })
    .optional(),
});
export type PlannedAction = z.infer<typeof PlannedAction>;

/** The executable plan for a command. */
export const Plan = z.object({
  actions: z.array(PlannedAction),
  budget: Budget.optional(),
  explanation: z.array(z.string()).describe("Human-readable lines explaining choices"),
  understoodBy: UnderstoodBy.optional(),
});
export type Plan = z.infer<typeof Plan>;
