import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/index.js";
import { ServiceConflictError } from "../registry/errors.js";
import { findServiceByNameOrUrl } from "../registry/findServiceByNameOrUrl.js";
import { getService } from "../registry/getService.js";
import { type StartRunResult, startRun } from "../runs/start/startRun.js";
import { getSessionFor } from "../sessions/getSession.js";
import { SubscriptionConflictError } from "./errors.js";
import { listSubscriptions } from "./listSubscriptions.js";
import type { SubscriptionPeriod } from "./nextRenewal.js";
import { subscribeCommand } from "./subscribeCommand.js";

export interface StartSubscriptionRunParameters {
  principal: Principal;
  sessionId: string;
  serviceId: string;
  period: SubscriptionPeriod;
  /** The caller's Idempotency-Key: a retry returns the same run. */
  idempotencyKey?: string;
}

/**
 * Subscribes a session to a service by starting a durable run: it reserves budget, asks for
 * approval above the threshold, pays the first period through x402, records the subscription and
 * starts its renewal run. What can be refused now is refused before anything is paid: a session
 * the caller cannot use, an unknown service, a service sharing its endpoint with another, or an
 * active subscription already in place.
 */
export async function startSubscriptionRun(
  db: Kysely<Database>,
  parameters: StartSubscriptionRunParameters,
): Promise<StartRunResult> {
  const { principal, sessionId, serviceId, period } = parameters;
  await getSessionFor(db, principal, sessionId);
  const service = await getService(db, serviceId);
  // The run names the service by endpoint; an endpoint shared by two services is ambiguous.
  const resolved = await findServiceByNameOrUrl(db, service.endpoint);
  if (resolved?.id !== service.id) {
    throw new ServiceConflictError(
      `Service ${service.id} shares its endpoint with ${resolved?.id}; cannot subscribe by endpoint`,
    );
  }
  const active = await listSubscriptions(db, { sessionId, serviceId, status: "active", limit: 1 });
  if (active.subscriptions[0])
    throw new SubscriptionConflictError(active.subscriptions[0].id, serviceId);
  return await startRun(db, {
    principal,
    sessionId,
    command: subscribeCommand(service, period),
    idempotencyKey: parameters.idempotencyKey,
  });
}
