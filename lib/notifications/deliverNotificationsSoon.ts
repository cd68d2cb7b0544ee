import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { log } from "../log.js";
import { deliverDueNotifications } from "./deliverDueNotifications.js";

/**
 * Starts delivering due notifications without waiting for it (right after one was enqueued, so a
 * receiver hears at once). Failures are only logged: the outbox row stays due and the background
 * checks deliver it (with backoff) later.
 */
export function deliverNotificationsSoon(db: Kysely<Database>): void {
  deliverDueNotifications(db).catch((error: unknown) => {
    log.warn("notification delivery pass failed", {
      error: error instanceof Error ? error.message : String(error),
    });
  });
}
