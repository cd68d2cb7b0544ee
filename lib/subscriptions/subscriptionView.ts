import type { Subscription } from "../db/index.js";
import type { SubscriptionPeriod } from "./nextRenewal.js";

/** A subscription as the API and the renewal workflow see it (JSON-safe). */
export interface SubscriptionView {
  id: string;
  sessionId: string;
  serviceId: string;
  period: SubscriptionPeriod;
  status: Subscription["status"];
  /** Our run that renews it (kind "subscription"), once the renewal workflow started. */
  runId: string | null;
  renewals: number;
  consecutiveFailures: number;
  /** Access is paid until this instant; the next renewal is due then. */
  currentPeriodEnd: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  /**
   * The price agreed at subscribing, in base units of `asset` (a token address): a renewal never
   * pays more. Null only for a subscription whose service had no price when it was migrated.
   */
  price: { amount: string; asset: string } | null;
}

/** Maps a service_subscriptions row to its public view. */
export function toSubscriptionView(row: Subscription): SubscriptionView {
  return {
    id: row.id,
    sessionId: row.session_id,
    serviceId: row.service_id,
    period: row.period,
    status: row.status,
    runId: row.run_id,
    renewals: Number(row.renewals),
    consecutiveFailures: Number(row.consecutive_failures),
    currentPeriodEnd: new Date(row.current_period_end).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    cancelledAt: row.cancelled_at === null ? null : new Date(row.cancelled_at).toISOString(),
    price:
      row.price_amount === null || row.price_asset === null
        ? null
        : { amount: String(row.price_amount), asset: row.price_asset },
  };
}
