import { type Kysely, sql } from "kysely";
import { describe, expect, test } from "vitest";
import type { Database } from "../../../lib/db/database.js";
import { prepareQuery } from "../../../lib/db/prepareQuery.js";
import { createTestDb, databaseDrivers } from "../../helpers/db.js";

const available = (await databaseDrivers()).some((d) => d.driver === "pg" && d.available);

/**
 * Runs `use` on one connection of a fresh migrated node-postgres database (and the pool it came
 * from); createDb names statements by default.
 */
async function onNamedConnection<T>(
  use: (connection: Kysely<Database>, db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  const { db, dispose } = await createTestDb("pg");
  try {
    return await db.connection().execute((connection) => use(connection, db));
  } finally {
    await dispose();
  }
}

/** A prepared query whose result columns follow the table's: `select *`. */
const selectRun = prepareQuery("namedStatementsPool.test", (db, p: { id: string }) =>
  db.selectFrom("runs").selectAll().where("id", "=", p.id),
);

describe("namedStatementsPool (node-postgres)", () => {
  test.skipIf(!available)(
    "prepared queries run as named statements, parsed once per connection; other SQL does not",
    () =>
      onNamedConnection(async (connection) => {
        await selectRun(connection, { id: "run_a" });
        await selectRun(connection, { id: "run_b" });
        await connection.selectFrom("runs").select("id").where("id", "=", "run_c").execute();
        const { rows } = await sql<{ name: string; statement: string }>`
          select name, statement from pg_prepared_statements`.execute(connection);
        expect(rows).toHaveLength(1);
        expect(rows[0]!.name).toMatch(/^paygent_[0-9a-f]{24}_0$/);
        expect(rows[0]!.statement).toMatch(/from "runs"/);
      }),
  );

  test.skipIf(!available)(
    "error: a named select * after a migration added a column is parsed again at once",
    () =>
      onNamedConnection(async (connection) => {
        await insertRun(connection);
        const [before] = await selectRun(connection, { id: "run_named" });
        expect(before).not.toHaveProperty("added_later");

        await sql`alter table runs add column added_later text`.execute(connection);
        const [after] = await selectRun(connection, { id: "run_named" });
        expect(after).toHaveProperty("added_later", null);
        const names = await preparedNames(connection);
        expect(names.filter((name) => name.endsWith("_1"))).toHaveLength(1);
      }),
  );

  test.skipIf(!available)(
    "inside a transaction prepared queries run unnamed, so a refused name never fails one",
    () =>
      onNamedConnection(async (connection) => {
        await connection.transaction().execute(async (trx) => {
          await selectRun(trx, { id: "run_x" });
          expect(await preparedNames(trx)).toEqual([]);
        });
        await selectRun(connection, { id: "run_x" });
        expect(await preparedNames(connection)).toHaveLength(1);
      }),
  );

  test.skipIf(!available)(
    "error: a server connection that lost the names (a pooler in transaction mode) gets every statement unnamed from then on",
    () =>
      onNamedConnection(async (connection, db) => {
        await selectRun(connection, { id: "run_x" });
        expect(await preparedNames(connection)).toHaveLength(1);
        // What a pooler's next server connection looks like: none of this client's names.
        await sql`deallocate all`.execute(connection);
        expect(await selectRun(connection, { id: "run_x" })).toEqual([]);
        expect(await selectRun(connection, { id: "run_x" })).toEqual([]);
        expect(await preparedNames(connection)).toEqual([]);
        // The whole pool stopped naming: its other connections too.
        await Promise.all(
          [1, 2, 3].map(() =>
            db.connection().execute(async (other) => {
              await selectRun(other, { id: "run_x" });
              expect(await preparedNames(other)).toEqual([]);
            }),
          ),
        );
      }),
  );

  test.skipIf(!available)(
    "error: a name the server connection already holds as another client's is not reused",
    async () => {
      const name = await onNamedConnection(async (connection) => {
        await selectRun(connection, { id: "run_x" });
        return (await preparedNames(connection))[0]!;
      });
      await onNamedConnection(async (connection) => {
        // Another client's statement under the same name, on the server connection we are given.
        await sql.raw(`prepare ${name} as select 'not ours' as id`).execute(connection);
        await insertRun(connection);
        const rows = await selectRun(connection, { id: "run_named" });
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ id: "run_named", session_id: "ses_named" });
      });
    },
  );
});

/** Names of the statements prepared on this server connection. */
async function preparedNames(connection: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select name from pg_prepared_statements order by name`.execute(connection);
  return rows.map((row) => row.name);
}

/** The run `run_named` (in session `ses_named`). */
async function insertRun(connection: Kysely<Database>): Promise<void> {
  await sql`insert into agent_sessions (id) values ('ses_named')`.execute(connection);
  await sql`insert into runs (id, session_id, kind, command, status)
    values ('run_named', 'ses_named', 'command', 'x', 'running')`.execute(connection);
}
