import type { NetworkName } from "../config.js";
import type { PolicyActionType } from "./schemas.js";

/** What the gate knows about one action, in the terms a policy speaks. */
export interface PolicyAction {
  type: PolicyActionType;
  /** The network the action runs on. */
  network: NetworkName;
  /** The most it may move (the action module's maxSpend); absent for actions that move nothing. */
  spend?: { token: string; amount: bigint };
  /**
   * Who gets the money, as every identifier known at the gate: the recipient or payTo address,
   * the x402 resource's host, the registry service id. Counterparty rules match any of them.
   */
  counterparty?: { address?: string; host?: string; serviceId?: string };
  /** Words for messages, e.g. "transfer 30 USDC to 0xabc…" (the action module's describe()). */
  summary?: string;
}

interface DecisionBase {
  /** The rule that decided, as a path in the policy document ("maxPerAction", "windows[0]"). */
  rule: string;
  /** For people: "held: 30 USDC is above the 10 USD threshold; needs 2 approvals". */
  message: string;
  policyId: string;
  policyVersion: number | null;
  /** USD value of the spend at evaluation time (micro-dollars); null when unpriced or no spend. */
  usdMicros: bigint | null;
}

/** The action may proceed (windows still reserve atomically in gateAction). */
export interface AllowDecision extends DecisionBase {
  outcome: "allow";
  /** What the spend charges each window unit ("USD", "USDC", …), for reserveWindows. */
  charges: Record<string, bigint>;
}

/** The action waits for `requiredApprovals` distinct approvers. */
export interface HoldDecision extends DecisionBase {
  outcome: "hold";
  requiredApprovals: number;
  approvers: "assigned" | "any";
  /** How long the approval may wait (the policy's approvalExpirySeconds, else the default). */
  expiresInSeconds: number | null;
  charges: Record<string, bigint>;
}

/** The action must not run. */
export interface RefuseDecision extends DecisionBase {
  outcome: "refuse";
}

/** What the policy says about one action. */
export type PolicyDecision = AllowDecision | HoldDecision | RefuseDecision;
