import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, expect, test } from "vitest";
import { createDb } from "../../../lib/db/index.js";

const dir = await mkdtemp(path.join(tmpdir(), "paygent-query-log-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

test("DB_QUERY_LOG writes every round trip in order, BEGIN and COMMIT included, never a parameter", async () => {
  const queryLog = path.join(dir, "queries.log");
  const { db, close } = await createDb({ driver: "pglite", pgliteThread: "main", queryLog });
  try {
    await sql`create table notes (id text primary key, body text)`.execute(db);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto("notes" as never)
        .values({ id: "n1", body: "s3cret-value" } as never)
        .execute();
      await trx
        .selectFrom("notes" as never)
        .selectAll()
        .execute();
    });
    const lines = (await readFile(queryLog, "utf8")).trim().split("\n");
    const statements = lines.map((line) => line.split(" ").slice(2).join(" "));
    expect(statements).toEqual([
      "create table notes (id text primary key, body text)",
      "BEGIN",
      'insert into "notes" ("id", "body") values ($1, $2)',
      'select * from "notes"',
      "COMMIT",
    ]);
    for (const line of lines) expect(line).toMatch(/^\d{13} \d+\.\d /);
    expect(lines.join("\n")).not.toContain("s3cret-value");
  } finally {
    await close();
  }
});
