/** How often a subscription renews. */
export type SubscriptionPeriod = "daily" | "weekly" | "monthly";

export const subscriptionPeriods = ["daily", "weekly", "monthly"] as const;

/**
 * The end of the period that starts at `from` (UTC). Monthly periods keep the day of month and
 * clamp to the month's last day (Jan 31 → Feb 28/29), so renewals never skip a month.
 */
export function nextRenewal(period: SubscriptionPeriod, from: Date): Date {
  const next = new Date(from.getTime());
  if (period === "daily") next.setUTCDate(next.getUTCDate() + 1);
  else if (period === "weekly") next.setUTCDate(next.getUTCDate() + 7);
  else {
    const day = next.getUTCDate();
    next.setUTCDate(1);
    next.setUTCMonth(next.getUTCMonth() + 1);
    const lastDay = new Date(
      Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0),
    ).getUTCDate();
    next.setUTCDate(Math.min(day, lastDay));
  }
  return next;
}
