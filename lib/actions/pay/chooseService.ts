import { PlanError } from "../../agent/errors.js";
import type { PayIntent } from "../../agent/intent.js";
import type { ServiceInfo } from "../../agent/planner.js";
import { fits, type Room } from "../../agent/planning/budgetRoom.js";
import { show } from "../../agent/planning/tokens.js";
import { valueUsd } from "../../agent/planning/valueUsd.js";
import type { DiscoveryState, PlanState } from "../types.js";

/**
 * Picks the service a "pay for the cheapest" step pays from the latest search: within the cap and
 * every budget, cheapest first (in USD across tokens), the better reputation breaking ties.
 */
export async function chooseService(
  state: PlanState,
  discovery: DiscoveryState,
  intent: PayIntent,
  room: Room,
): Promise<ServiceInfo> {
  const ctx = state.context;
  const cap = intent.amount ?? intent.maxAmount;
  const rejected: string[] = [];
  const eligible: Array<{ service: ServiceInfo; usd: bigint | undefined }> = [];
  for (const service of discovery.candidates) {
    if (intent.token && service.price.token !== intent.token) {
      rejected.push(`${service.name} (priced in ${service.price.token})`);
    } else if (cap && BigInt(service.price.amount) > BigInt(cap)) {
      rejected.push(
        `${service.name} (${show(ctx, service.price.amount, service.price.token)} is above the cap)`,
      );
    } else if (!(await fits(ctx, room, service.price))) {
      rejected.push(`${service.name} (over budget)`);
    } else {
      eligible.push({
        service,
        usd: await valueUsd(ctx, service.price.token, BigInt(service.price.amount)),
      });
    }
  }
  if (eligible.length === 0) {
    throw new PlanError(
      discovery.candidates.length === 0
        ? "The search found no services to pay"
        : "None of the services found fits the price limit and budget",
      { suggestions: rejected.length > 0 ? [`Rejected: ${rejected.join(", ")}`] : undefined },
    );
  }
  eligible.sort((a, b) => {
    const priceA = a.usd ?? BigInt(a.service.price.amount);
    const priceB = b.usd ?? BigInt(b.service.price.amount);
    if (priceA !== priceB) return priceA < priceB ? -1 : 1;
    return b.service.reputation - a.service.reputation;
  });
  const chosen = eligible[0]!.service;
  state.explanation.push(
    `Chose ${chosen.name} at ${show(ctx, chosen.price.amount, chosen.price.token)} (reputation ${chosen.reputation}): the cheapest of ${eligible.length} affordable match${eligible.length === 1 ? "" : "es"}, higher reputation breaking ties${rejected.length > 0 ? `; skipped ${rejected.join(", ")}` : ""}.`,
  );
  return chosen;
}
