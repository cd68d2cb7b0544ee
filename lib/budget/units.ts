import type { AgentSession } from "../db/index.js";
import { BudgetPricingError, type BudgetScope } from "./errors.js";

/** The unit of USD-denominated limits: amounts are micro-dollars (6 decimals). */
export const USD = "USD";

/** Counting unit of a token: addresses and symbols compare case-insensitively. */
export function unitOf(token: string): string {
  return token.trim().toUpperCase() === USD ? USD : token.trim().toLowerCase();
}

/**
 * A decimal USD string ("0.10") as micro-dollars. More than six decimals round UP, so a budget
 * check can only be stricter than the true amount, never looser.
 */
export function usdToMicros(usd: string): bigint {
  const match = /^(\d{1,24})(?:\.(\d{1,30}))?$/.exec(usd.trim());
  if (!match)
    throw new BudgetPricingError(`usdAmount must be a non-negative decimal string, got "${usd}"`);
  const fraction = match[2] ?? "";
  let micros = BigInt(match[1]!) * 1_000_000n + BigInt(fraction.slice(0, 6).padEnd(6, "0"));
  if (/[1-9]/.test(fraction.slice(6))) micros += 1n;
  return micros;
}

/** Micro-dollars as the 6-decimal string the usd_amount column stores. */
export function microsToUsd(micros: bigint): string {
  return `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, "0")}`;
}

/** The UTC calendar day of an instant, YYYY-MM-DD; daily limits reset at 00:00 UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** One limit a reservation must fit under, with what the reservation charges against it. */
export interface ApplicableLimit {
  scope: BudgetScope;
  unit: string;
  limit: bigint;
  charge: bigint;
  /** Set for daily limits. */
  day?: string;
}

type SessionLimits = Pick<
  AgentSession,
  "id" | "budget_amount" | "budget_token" | "daily_limit_amount" | "daily_limit_token"
>;

/**
 * The limits of a session that a spend of `amount` of `token` (worth `usdMicros`) counts against.
 * A token limit applies only to the same token; a USD limit applies to every token and then needs
 * the USD value, because base units of different tokens cannot be added up.
 */
export function applicableLimits(
  session: SessionLimits,
  spend: { token: string; amount: bigint; usdMicros: bigint | undefined; day: string },
): ApplicableLimit[] {
  const limits: ApplicableLimit[] = [];
  const entries: [BudgetScope, string | null, string | null][] = [
    ["session", session.budget_amount, session.budget_token],
    ["daily", session.daily_limit_amount, session.daily_limit_token],
  ];
  for (const [scope, amount, token] of entries) {
    if (amount === null || token === null) continue;
    const unit = unitOf(token);
    let charge: bigint;
    if (unit === USD) {
      if (spend.usdMicros === undefined) {
        throw new BudgetPricingError(
          `Session ${session.id} has a ${scope === "daily" ? "daily limit" : "budget"} in USD: the reservation needs usdAmount`,
        );
      }
      charge = spend.usdMicros;
    } else if (unit === unitOf(spend.token)) {
      charge = spend.amount;
    } else {
      continue;
    }
    limits.push({
      scope,
      unit,
      limit: BigInt(amount),
      charge,
      ...(scope === "daily" ? { day: spend.day } : {}),
    });
  }
  return limits;
}
