import { type Kysely, sql } from "kysely";

/**
 * subscription_claims: the subscribe step that holds a session's (session, service) slot while it
 * pays the first period. Taken before anything is signed, under the session's row lock, and
 * unique per session and service, so two subscribe steps racing each other cannot both pay: the
 * second is refused unsigned. The step that made the subscription deletes its claim in the same
 * transaction (the active subscription holds the slot from then on); a payment that definitively
 * failed deletes it too, and a claim whose run ended with nothing of it left on the wire may be
 * taken over (lib/subscriptions/claimSubscription.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("subscription_claims")
    .addColumn("session_id", "text", (c) => c.notNull().references("agent_sessions.id"))
    .addColumn("service_id", "text", (c) =>
      c.notNull().references("services.id").onDelete("cascade"),
    )
    // The subscription the step creates once paid, its renewal run, and the claiming step.
    .addColumn("subscription_id", "text", (c) => c.notNull())
    .addColumn("renewal_run_id", "text", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("step_id", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("subscription_claims_pkey", ["session_id", "service_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("subscription_claims").ifExists().execute();
}
