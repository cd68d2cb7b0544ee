import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vacuumEmbedded } from "../../../lib/db/vacuumEmbedded.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

/**
 * PGlite, as the app runs it (a worker thread, the migrated schema): nothing vacuums or analyzes
 * it on its own, so the runs table keeps the dead row of every update and has no statistics;
 * vacuumEmbedded does autovacuum's job on autovacuum's thresholds.
 */
let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb("pglite");
});
afterAll(async () => {
  await testDb?.dispose();
});

async function runsStats() {
  const { rows } = await sql<{ dead: number; analyzed: boolean; pages: number }>`
    select s.n_dead_tup::int as dead, s.last_analyze is not null as analyzed, c.relpages as pages
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
     where s.relname = 'runs'`.execute(testDb.db);
  return rows[0]!;
}

describe("vacuumEmbedded", () => {
  it("behavior: vacuums and analyzes the tables past autovacuum's thresholds, and only those", async () => {
    const { db } = testDb;
    await db.insertInto("agent_sessions").values({ id: "ses_vacuum", api_key_id: null }).execute();
    await db
      .insertInto("runs")
      .values(
        Array.from({ length: 200 }, (_, i) => ({
          id: `run_vacuum_${i}`,
          session_id: "ses_vacuum",
          command: "balance",
          status: "running" as const,
        })),
      )
      .execute();
    // A run's row is updated at each step: five rounds leave up to 1000 dead rows (fewer after page pruning) behind 200 live ones.
    for (let step = 0; step < 5; step++)
      await db.updateTable("runs").set({ updated_at: new Date() }).execute();

    // Nothing does it by itself: no autovacuum worker runs in PGlite.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sql`select pg_stat_force_next_flush()`.execute(db);
    const before = await runsStats();
    expect(before.dead).toBeGreaterThan(500);
    expect(before.analyzed).toBe(false);

    const done = await vacuumEmbedded(db);
    const runs = done.find((entry) => entry.table === "runs");
    expect(runs).toMatchObject({ action: "vacuum" });
    expect(runs!.deadRows).toBeGreaterThan(500);
    const after = await runsStats();
    expect(after.dead).toBe(0);
    expect(after.analyzed).toBe(true);
    expect(after.pages).toBeGreaterThan(0);

    // A table below both thresholds is left alone, and a second pass finds nothing to do.
    expect(done.some((entry) => entry.table === "payments")).toBe(false);
    expect(await vacuumEmbedded(db)).toEqual([]);
  });
});
