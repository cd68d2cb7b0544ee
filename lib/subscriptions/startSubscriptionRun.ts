import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/index.js";
import { newId } from "../ids.js";
import { ServiceConflictError } from "../registry/errors.js";
import { findServiceByNameOrUrl } from "../registry/findServiceByNameOrUrl.js";
import { getService } from "../registry/getService.js";
import { type RunOptions, type StartRunResult, startRun } from "../runs/start/startRun.js";
import { getSessionFor } from "../sessions/getSession.js";
import { SubscriptionConflictError } from "./errors.js";
import { listSubscriptions } from "./listSubscriptions.js";
import type { SubscriptionPeriod } from "./nextRenewal.js";
import { subscribeCommand } from "./subscribeCommand.js";

export interface StartSubscriptionRunParameters {
  principal: Principal;
  /** Absent: the run creates a session, as execute does (with the key's policy limits). */
  sessionId?: string;
  serviceId: string;
  period: SubscriptionPeriod;
  /** The caller's Idempotency-Key: a retry returns the same run. */
  idempotencyKey?: string;
  /** Limits of the session created when none is named (checkStartPolicy). */
  sessionLimits?: { approvalThresholdUsd?: string };
}

export interface StartSubscriptionRunResult extends StartRunResult {
  /** The id the subscription gets once its first period is paid. */
  subscriptionId: string;
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
): Promise<StartSubscriptionRunResult> {
  const { principal, sessionId, serviceId, period } = parameters;
  if (sessionId) await getSessionFor(db, principal, sessionId);
  const service = await getService(db, serviceId);
  // The run names the service by endpoint; an endpoint shared by two services is ambiguous.
  const resolved = await findServiceByNameOrUrl(db, service.endpoint);
  if (resolved?.id !== service.id) {
    throw new ServiceConflictError(
      `Service ${service.id} shares its endpoint with ${resolved?.id}; cannot subscribe by endpoint`,
    );
  }
  if (sessionId) {
    const active = await listSubscriptions(db, {
      sessionId,
      serviceId,
      status: "active",
      limit: 1,
    });
    if (active.subscriptions[0])
      throw new SubscriptionConflictError(active.subscriptions[0].id, serviceId);
  }
  // Named now so the 202 can answer it; the subscribe step creates the row under this id.
  const subscriptionId = newId("sub");
  const started = await startRun(db, {
    principal,
    sessionId,
    command: subscribeCommand(service, period),
    options: { subscriptionId },
    idempotencyKey: parameters.idempotencyKey,
    sessionLimits: parameters.sessionLimits,
  });
  const options = started.run.options as RunOptions | null;
  // A replayed run keeps the id it was started with.
  return { ...started, subscriptionId: options?.subscriptionId ?? subscriptionId };
}
