import { sql } from "kysely";
import { describe, expect, test } from "vitest";
import { createDb } from "../../../lib/db/createDb.js";
import { migrateToLatest } from "../../../lib/db/migrate.js";
import { prepareQuery } from "../../../lib/db/prepareQuery.js";
import { createScratchDatabase, databaseDrivers } from "../../helpers/db.js";

const available = (await databaseDrivers()).some((d) => d.driver === "pg" && d.available);

/** A migrated scratch database on node-postgres with named statements on. */
async function namedTestDb() {
  const scratch = await createScratchDatabase();
  const handle = await createDb({ driver: "pg", url: scratch.url, pgNamedStatements: true });
  await migrateToLatest(handle.db);
  return {
    db: handle.db,
    async dispose() {
      await handle.close();
      await scratch.drop();
    },
  };
}

/** A prepared query whose result columns follow the table's: `select *`. */
const selectRun = prepareQuery("namedStatementsPool.test", (db, p: { id: string }) =>
  db.selectFrom("runs").selectAll().where("id", "=", p.id),
);

describe("namedStatementsPool (node-postgres)", () => {
  test.skipIf(!available)(
    "prepared queries run as named statements, parsed once per connection; other SQL does not",
    async () => {
      const { db, dispose } = await namedTestDb();
      try {
        await db.connection().execute(async (connection) => {
          await selectRun(connection, { id: "run_a" });
          await selectRun(connection, { id: "run_b" });
          await db.selectFrom("runs").select("id").where("id", "=", "run_c").execute();
          const { rows } = await sql<{ name: string; statement: string }>`
            select name, statement from pg_prepared_statements`.execute(connection);
          expect(rows).toHaveLength(1);
          expect(rows[0]!.name).toMatch(/^paygent_[0-9a-f]{24}_0$/);
          expect(rows[0]!.statement).toMatch(/from "runs"/);
        });
      } finally {
        await dispose();
      }
    },
  );

  test.skipIf(!available)(
    "error: a named select * after a migration added a column is parsed again (a transaction fails once)",
    async () => {
      const { db, dispose } = await namedTestDb();
      try {
        await db.connection().execute(async (connection) => {
          await sql`insert into agent_sessions (id) values ('ses_named')`.execute(connection);
          await sql`insert into runs (id, session_id, kind, command, status)
            values ('run_named', 'ses_named', 'command', 'x', 'running')`.execute(connection);
          const [before] = await selectRun(connection, { id: "run_named" });
          expect(before).not.toHaveProperty("added_later");

          // Outside a transaction the call is made again at once, with the table's new columns.
          await sql`alter table runs add column added_later text`.execute(connection);
          const [after] = await selectRun(connection, { id: "run_named" });
          expect(after).toHaveProperty("added_later", null);

          // Inside one, the refusal has failed the transaction: it reaches the caller, whose retry
          // finds the statement parsed again.
          await sql`alter table runs add column added_last text`.execute(connection);
          const inTransaction = () =>
            connection.transaction().execute((trx) => selectRun(trx, { id: "run_named" }));
          await expect(inTransaction()).rejects.toThrow(/cached plan must not change result type/);
          const [retried] = await inTransaction();
          expect(retried).toHaveProperty("added_last", null);
        });
      } finally {
        await dispose();
      }
    },
  );
});
