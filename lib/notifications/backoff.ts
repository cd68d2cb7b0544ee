/** Deliveries are retried for this long after the event, then given up as failed. */
export const DELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** How long a claimed delivery stays with the sender that claimed it (longer than one attempt). */
export const DELIVERY_LEASE_MS = 60_000;

/** Waits between attempts: quick at first (a blip), then hours (an outage). */
const delaysSeconds = [10, 30, 120, 600, 1800, 3600, 7200, 14400, 28800] as const;

/**
 * When to try again after `attempts` failed attempts, or null when that would fall outside the
 * 24-hour delivery window that started at `createdAt`.
 */
export function nextAttemptAt(parameters: {
  attempts: number;
  createdAt: Date;
  now: Date;
}): Date | null {
  const index = Math.min(Math.max(parameters.attempts, 1), delaysSeconds.length) - 1;
  const next = new Date(parameters.now.getTime() + delaysSeconds[index]! * 1000);
  return next.getTime() > parameters.createdAt.getTime() + DELIVERY_WINDOW_MS ? null : next;
}
