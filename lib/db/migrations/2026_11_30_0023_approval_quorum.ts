import { type Kysely, sql } from "kysely";

/**
 * Quorum approvals. An approval request says how many distinct approvers it needs, who may decide
 * (`approvers`: keys assigned to the agent, or any approver) and the policy rule that held it.
 * approval_decisions holds one row per (approval, approver key): deciding twice counts once.
 * Requests created before this migration keep their old meaning (one decision, any decider).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("approval_requests")
    .addColumn("required_approvals", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable("approval_requests")
    .addColumn("approvers", "text", (c) => c.notNull().defaultTo("any")) // assigned | any
    .execute();
  await db.schema.alterTable("approval_requests").addColumn("agent_key_id", "text").execute();
  await db.schema.alterTable("approval_requests").addColumn("policy_id", "text").execute();
  await db.schema.alterTable("approval_requests").addColumn("policy_version", "integer").execute();
  await db.schema.alterTable("approval_requests").addColumn("rule", "text").execute();
  // The action as first proposed, kept when an approver's edit replaces `action`.
  await db.schema.alterTable("approval_requests").addColumn("original_action", "jsonb").execute();

  await db.schema
    .createTable("approval_decisions")
    .addColumn("approval_token", "text", (c) => c.notNull().references("approval_requests.token"))
    .addColumn("approver_key_id", "text", (c) => c.notNull())
    .addColumn("decision", "text", (c) => c.notNull()) // approve | reject | edit
    .addColumn("args", "jsonb")
    .addColumn("comment", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("approval_decisions_pk", ["approval_token", "approver_key_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("approval_decisions").ifExists().execute();
  for (const column of [
    "original_action",
    "rule",
    "policy_version",
    "policy_id",
    "agent_key_id",
    "approvers",
    "required_approvals",
  ]) {
    await db.schema.alterTable("approval_requests").dropColumn(column).execute();
  }
}
