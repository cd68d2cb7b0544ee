import { type Kysely, sql } from "kysely";

/**
 * A version of everything that governs an API key (issue 17): the keys themselves, policies and
 * their versions, freezes. Any write to those tables bumps it, by trigger, so no write path can
 * forget to. A run records the version its accept checked the key's role, policy and freezes at
 * (`runs.controls_version`); inserting a run whose version is no longer current fails with SQLSTATE
 * PY001 and writes nothing, so an accept decided on controls read earlier (lib/auth/keyControlsCache)
 * can never outlive a revocation, a freeze or a tightened policy: it is answered again on a fresh read.
 *
 * The version lives in a row, not a sequence: a bump is visible only once the change that made it
 * commits, so a read that sees the old freezes also sees the old version.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("key_controls_version")
    .addColumn("id", "boolean", (c) => c.primaryKey().defaultTo(true).check(sql`id`))
    .addColumn("version", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into key_controls_version (id, version) values (true, 0)`.execute(db);
  await sql`
    create function bump_key_controls_version() returns trigger language plpgsql as $$
    begin
      update key_controls_version set version = version + 1;
      return null;
    end $$`.execute(db);
  for (const table of ["api_keys", "policies", "policy_versions", "freezes"]) {
    await sql`
      create trigger ${sql.raw(`${table}_bump_key_controls_version`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function bump_key_controls_version()`.execute(db);
  }

  await db.schema.alterTable("runs").addColumn("controls_version", "bigint").execute();
  await sql`
    create function check_run_controls_version() returns trigger language plpgsql as $$
    begin
      -- "distinct from": a missing version row refuses too.
      if new.controls_version is distinct from (select version from key_controls_version) then
        raise exception 'the key''s controls changed since they were read'
          using errcode = 'PY001';
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger runs_check_controls_version before insert on runs
    for each row when (new.controls_version is not null)
    execute function check_run_controls_version()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger runs_check_controls_version on runs`.execute(db);
  await sql`drop function check_run_controls_version()`.execute(db);
  await db.schema.alterTable("runs").dropColumn("controls_version").execute();
  for (const table of ["api_keys", "policies", "policy_versions", "freezes"]) {
    await sql`drop trigger ${sql.raw(`${table}_bump_key_controls_version`)} on ${sql.table(table)}`.execute(
      db,
    );
  }
  await sql`drop function bump_key_controls_version()`.execute(db);
  await db.schema.dropTable("key_controls_version").execute();
}
