import type { Kysely } from "kysely";
import type { Cache } from "../cache/index.js";
import type { Database } from "../db/database.js";
import { emitNotification } from "../notifications/emitNotification.js";
import { formatAmount, memoPrice, type PriceUsd, unitOf } from "./amounts.js";
import { type EvaluatePolicyParameters, evaluatePolicy, type SpentItem } from "./evaluatePolicy.js";
import { recordPolicyDecision } from "./recordPolicyDecision.js";
import { resolveKeyControls } from "./resolveKeyControls.js";
import type { CommandLimits } from "./schemas.js";
import type { PolicyAction, PolicyDecision } from "./types.js";
import { getWindowUsage } from "./windows/getWindowUsage.js";
import { reserveWindows, type WindowUsage } from "./windows/reserveWindows.js";
import { describeWindow, type WindowSpec, windowSpecs } from "./windows/windowSpecs.js";

export interface GateActionParameters {
  db: Kysely<Database>;
  cache?: Cache;
  price: PriceUsd;
  /** The agent key the run belongs to (its policy and windows); null → default policy. */
  keyId: string | null;
  /** Idempotency key of the action: `${runId}:${stepIndex}`. */
  reservationId: string;
  runId?: string | null;
  action: PolicyAction;
  /** Distinct approvals already granted for this action (after a hold). */
  approvalsGranted?: number;
  /** Of those, the ones an `approvers: "assigned"` policy accepts (see evaluatePolicy). */
  assignedApprovalsGranted?: number;
  /** The command's own limits (lower only; see checkCommandLimits). */
  command?: CommandLimits;
  defaultExpirySeconds?: number;
  now?: Date;
}

/** The gate's answer: the decision, and for allowed spends, the window reservation made. */
export type GateActionReturnType = PolicyDecision & {
  reservation?: { id: string; replayed: boolean };
};

/** A window at or past this share of its limit sends limit.approaching. */
const APPROACHING_RATIO = 0.8;

/**
 * The policy gate of one action, called right before money moves: a frozen wallet or key
 * refuses; then evaluatePolicy; an allowed spend then reserves every rolling window atomically
 * (refusing when one is full). A hold that could never fit a window is refused at once, instead
 * of asking people to approve it. Records the decision with its policy version. After the action,
 * finishReservation settles or releases what was reserved (nothing, when the outcome is unclear).
 */
export async function gateAction(parameters: GateActionParameters): Promise<GateActionReturnType> {
  const { db, action } = parameters;
  const now = parameters.now ?? new Date();
  const subject = parameters.keyId ?? "default";
  // The key's policy and freezes in one read, fresh at every gate (never cached).
  const { policy, freeze, revokedAt } = await resolveKeyControls(db, { keyId: parameters.keyId });
  const price = memoPrice(parameters.price);
  const record = async (decision: PolicyDecision) => {
    await recordPolicyDecision(db, {
      reservationId: parameters.reservationId,
      runId: parameters.runId,
      subject,
      decision,
      approvalsGranted: parameters.approvalsGranted,
    });
    return decision;
  };

  if (freeze) {
    const what = freeze.target === "wallet" ? "the agent wallet" : "this API key";
    return await record({
      outcome: "refuse",
      rule: freeze.target === "wallet" ? "frozen.wallet" : "frozen.key",
      message: `refused: ${what} is frozen${freeze.reason ? ` (${freeze.reason})` : ""}; no money moves until an admin unfreezes it`,
      policyId: policy.id,
      policyVersion: policy.version,
      usdMicros: null,
    });
  }

  if (revokedAt) {
    // A revoked key cannot start runs (authenticate); its runs in flight and its subscriptions'
    // renewals stop here too, at their next gate.
    return await record({
      outcome: "refuse",
      rule: "revoked.key",
      message: `refused: this API key was revoked at ${revokedAt.toISOString()}; no money moves under it`,
      policyId: policy.id,
      policyVersion: policy.version,
      usdMicros: null,
    });
  }

  const spent =
    parameters.command?.budget && parameters.runId
      ? await runSpent(db, parameters.runId, parameters.reservationId)
      : [];
  const evaluation: EvaluatePolicyParameters = {
    policy,
    action,
    price,
    approvalsGranted: parameters.approvalsGranted,
    assignedApprovalsGranted: parameters.assignedApprovalsGranted,
    command: { limits: parameters.command, spent },
    defaultExpirySeconds: parameters.defaultExpirySeconds,
  };
  const decision = await evaluatePolicy(evaluation);
  if (decision.outcome === "refuse" || !action.spend) return await record(decision);

  const specs = windowSpecs(action.network, policy.document);
  const unitPrices = await pricesOf(specs, price);
  const spendUnit = unitOf(action.network, action.spend.token)!;
  const windowRefusal = (spec: WindowSpec, count: number, total: bigint) =>
    record({
      outcome: "refuse",
      rule: `windows[${spec.index}]`,
      message: `refused: ${formatAmount(spendUnit, action.spend!.amount)} would pass the policy's window of ${describeWindow(spec, formatAmount)} (${describeUsage(spec, count, total)} in the last ${spec.period})`,
      policyId: decision.policyId,
      policyVersion: decision.policyVersion,
      usdMicros: decision.usdMicros,
    });

  if (decision.outcome === "hold") {
    const states = await getWindowUsage(db, {
      subject,
      document: policy.document,
      network: action.network,
      unitPrices,
      now,
    });
    for (const { spec, count, total } of states) {
      const charge = decision.charges[spec.unit.name] ?? 0n;
      const full =
        (spec.maxCount !== null && count + 1 > spec.maxCount) ||
        (spec.limit !== null && total + charge > spec.limit);
      if (full) return await windowRefusal(spec, count, total);
    }
    return await record(decision);
  }

  const reserved = await reserveWindows({
    db,
    cache: parameters.cache,
    subject,
    reservationId: parameters.reservationId,
    runId: parameters.runId,
    policyId: policy.id,
    policyVersion: policy.version,
    token: spendUnit.name,
    amount: action.spend.amount,
    usdMicros: decision.usdMicros,
    charges: decision.charges,
    windows: specs,
    unitPrices,
    now,
  });
  if (!reserved.reserved)
    return await windowRefusal(reserved.window, reserved.count, reserved.total);
  await record(decision);
  await notifyApproaching(db, {
    subject,
    specs,
    usage: reserved.usage,
    charges: decision.charges,
    reservationId: parameters.reservationId,
    now,
  });
  return {
    ...decision,
    reservation: { id: parameters.reservationId, replayed: reserved.replayed },
  };
}

/** "3 actions" / "95 USD used" / both. */
function describeUsage(spec: WindowSpec, count: number, total: bigint): string {
  const parts: string[] = [];
  if (spec.maxCount !== null) parts.push(`${count} action${count === 1 ? "" : "s"} already`);
  if (spec.limit !== null) parts.push(`${formatAmount(spec.unit, total)} already used`);
  return parts.join(", ");
}

/** What the run reserved or spent before this action (for the command budget). */
async function runSpent(
  db: Kysely<Database>,
  runId: string,
  exclude: string,
): Promise<SpentItem[]> {
  const rows = await db
    .selectFrom("policy_reservations")
    .select(["id", "token", "amount", "usd_micros"])
    .where("run_id", "=", runId)
    .where("status", "in", ["reserved", "settled"])
    .where("id", "<>", exclude)
    .execute();
  return rows.map((row) => ({
    token: row.token,
    amount: BigInt(row.amount),
    usdMicros: row.usd_micros === null ? null : BigInt(row.usd_micros),
  }));
}

/** Micro-dollars per whole token of each token window unit (to count older rows in it). */
async function pricesOf(specs: WindowSpec[], price: PriceUsd): Promise<Record<string, bigint>> {
  const prices: Record<string, bigint> = {};
  for (const spec of specs) {
    if (spec.unit.name === "USD" || spec.unit.name in prices) continue;
    // Older rows' dollars are divided by it: the low side is the strict one.
    const value = await price(spec.unit.name, 10n ** BigInt(spec.unit.decimals), "limit");
    if (value !== null && value > 0n) prices[spec.unit.name] = value;
  }
  return prices;
}

/** Sends limit.approaching when this reservation took a window across 80% of its limit. */
async function notifyApproaching(
  db: Kysely<Database>,
  parameters: {
    subject: string;
    specs: WindowSpec[];
    usage: WindowUsage[];
    charges: Record<string, bigint>;
    reservationId: string;
    now: Date;
  },
): Promise<void> {
  for (const usage of parameters.usage) {
    const spec = parameters.specs.find((s) => s.index === usage.index);
    if (!spec) continue;
    const charge = parameters.charges[spec.unit.name] ?? 0n;
    const crossed = (after: number, before: number, limit: number) =>
      after >= limit * APPROACHING_RATIO && before < limit * APPROACHING_RATIO;
    const byCount = spec.maxCount !== null && crossed(usage.count, usage.count - 1, spec.maxCount);
    const byAmount =
      spec.limit !== null &&
      usage.total * 10n >= spec.limit * 8n &&
      (usage.total - charge) * 10n < spec.limit * 8n;
    if (!byCount && !byAmount) continue;
    await emitNotification(db, {
      type: "limit.approaching",
      dedupeKey: `${parameters.reservationId}:${spec.index}`,
      now: parameters.now,
      data: {
        keyId: parameters.subject,
        rule: `windows[${spec.index}]`,
        window: describeWindow(spec, formatAmount),
        count: usage.count,
        used: spec.limit === null ? null : formatAmount(spec.unit, usage.total),
        summary: `${spec.maxCount !== null ? `${usage.count} of ${spec.maxCount} actions` : formatAmount(spec.unit, usage.total)} used of the window ${describeWindow(spec, formatAmount)}`,
      },
    });
  }
}
