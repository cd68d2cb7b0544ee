import { type Kysely, sql } from "kysely";

/**
 * Keys get a role: admin (the operator), agent (submits commands; the former `sessions` scope) or
 * approver (decides approvals). A key may name its policy; an approver may be assigned agent keys.
 * `source` tells keys from PAYGENT_ADMIN_KEY apart, so rotating the variable can revoke the old one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table api_keys rename column scope to role`.execute(db);
  await sql`update api_keys set role = 'agent' where role = 'sessions'`.execute(db);
  await sql`alter table api_keys add constraint api_keys_role_check
    check (role in ('admin', 'agent', 'approver'))`.execute(db);
  await db.schema
    .alterTable("api_keys")
    .addColumn("policy_id", "text", (c) => c.references("policies.id"))
    .execute();
  await db.schema
    .alterTable("api_keys")
    .addColumn("source", "text", (c) => c.notNull().defaultTo("created"))
    .execute();
  // Keys registered from PAYGENT_ADMIN_KEY before this migration carry the key_env_ id prefix.
  await sql`update api_keys set source = 'env' where id like 'key_env_%'`.execute(db);

  await db.schema
    .createTable("approver_assignments")
    .addColumn("approver_key_id", "text", (c) => c.notNull().references("api_keys.id"))
    .addColumn("agent_key_id", "text", (c) => c.notNull().references("api_keys.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("approver_assignments_pk", ["approver_key_id", "agent_key_id"])
    .execute();
  await db.schema
    .createIndex("approver_assignments_agent_idx")
    .on("approver_assignments")
    .column("agent_key_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("approver_assignments").ifExists().execute();
  await db.schema.alterTable("api_keys").dropColumn("source").execute();
  await db.schema.alterTable("api_keys").dropColumn("policy_id").execute();
  await sql`alter table api_keys drop constraint if exists api_keys_role_check`.execute(db);
  await sql`update api_keys set role = 'sessions' where role <> 'admin'`.execute(db);
  await sql`alter table api_keys rename column role to scope`.execute(db);
}
