import type { ServiceView } from "../registry/serviceView.js";
import type { SubscriptionPeriod } from "./nextRenewal.js";

/**
 * The command a structured subscribe request runs as, so POST /api/subscriptions goes through the
 * same durable path as "subscribe to …" typed by a user: planning, budget, approval, first payment
 * via x402, then the renewal run. The endpoint URL names the service unambiguously whatever its
 * display name contains (the planner resolves it with findServiceByNameOrUrl).
 */
export function subscribeCommand(
  service: Pick<ServiceView, "endpoint">,
  period: SubscriptionPeriod,
): string {
  return `subscribe to ${service.endpoint} ${period}`;
}
