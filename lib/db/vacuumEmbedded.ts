import { type Kysely, sql } from "kysely";
import type { Database } from "./database.js";

/** One table a pass vacuumed or analyzed, and why. */
export interface VacuumedTable {
  table: string;
  /** "vacuum": VACUUM (ANALYZE) for its dead rows; "analyze": ANALYZE for its changed rows. */
  action: "vacuum" | "analyze";
  deadRows: number;
  changedRows: number;
}

/**
 * PostgreSQL's autovacuum thresholds (its defaults): a table is vacuumed once its dead rows exceed
 * 50 + 20% of its live rows, and analyzed once the rows changed since its last analyze exceed
 * 50 + 10% of them.
 */
const vacuumBase = 50;
const vacuumScale = 0.2;
const analyzeBase = 50;
const analyzeScale = 0.1;

/**
 * The embedded database's autovacuum. PGlite runs PostgreSQL as a single backend with no
 * autovacuum worker, so nothing ever vacuums or analyzes it: every update leaves a dead row
 * (a run's row is updated at each of its steps), indexes keep pointing at them, and the planner
 * never gets statistics. The embedded database would then grow and slow down with its history.
 * This does autovacuum's job on autovacuum's thresholds, one table per statement, so the
 * database stays usable between statements. Returns what it did; a Postgres server (which runs
 * its own autovacuum) does not need it. Called by the local host's background work.
 */
export async function vacuumEmbedded(db: Kysely<Database>): Promise<VacuumedTable[]> {
  // A backend publishes its row counts at most once a second, at the end of a transaction; with no
  // other backend, that is the next statement. Publish them now, so the read below is current.
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const { rows } = await sql<{
    table: string;
    live: number;
    dead: number;
    changed: number;
  }>`select relname as table, n_live_tup::int as live, n_dead_tup::int as dead,
            n_mod_since_analyze::int as changed
       from pg_stat_user_tables
      where schemaname = 'public'`.execute(db);
  const done: VacuumedTable[] = [];
  for (const row of rows) {
    const vacuum = row.dead > vacuumBase + vacuumScale * row.live;
    const analyze = row.changed > analyzeBase + analyzeScale * row.live;
    if (!vacuum && !analyze) continue;
    const table = sql.table(row.table);
    if (vacuum) await sql`vacuum (analyze) ${table}`.execute(db);
    else await sql`analyze ${table}`.execute(db);
    done.push({
      table: row.table,
      action: vacuum ? "vacuum" : "analyze",
      deadRows: row.dead,
      changedRows: row.changed,
    });
  }
  return done;
}
