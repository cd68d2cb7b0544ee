import type { Insertable, Kysely, QueryCreator } from "kysely";
import { StaleKeyControlsError } from "../../auth/keyControlsCache.js";
import type { AgentSessionsTable, Database, Run, RunsTable } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";

/** What accepting a run writes: the run row, the session it opens (if any), its first event. */
export interface AcceptedRunRows {
  run: Insertable<RunsTable> & { id: string; session_id: string };
  /** A session opened for this run; omitted when the run joins an existing session. */
  newSession?: Insertable<AgentSessionsTable>;
  /** The `run.accepted` event's data. */
  acceptedData: unknown;
}

/**
 * Writes session, run and `run.accepted` event as ONE statement (data-modifying CTEs): atomic like
 * the transaction it replaces, but one round trip instead of five (BEGIN, three inserts, COMMIT),
 * which is what an accept under a burst waits on (issue 17). The run references its session and
 * the event its run; Postgres checks those foreign keys at the end of the statement, when all three
 * rows exist. Returns undefined when a run with the same idempotency key exists: the unique index
 * fails the whole statement, so no session or event of the losing request is left behind. Throws
 * StaleKeyControlsError, likewise writing nothing, when the run's `controls_version` (the version
 * its key's role, policy and freezes were read at) is no longer current.
 */
export async function insertAcceptedRun(
  db: Kysely<Database>,
  rows: AcceptedRunRows,
): Promise<Run | undefined> {
  try {
    const [run] = await insertRows(db, {
      run: rows.run,
      newSession: rows.newSession,
      eventData: JSON.stringify(rows.acceptedData ?? {}),
      dedupeKey: `${rows.run.id}:accepted`,
    });
    if (!run) throw new Error("the accepted run's insert returned no row");
    return run;
  } catch (error) {
    if (isIdempotencyKeyTaken(error)) return undefined;
    if (isControlsVersionStale(error)) {
      throw new StaleKeyControlsError(
        "The API key's role, policy or freezes changed since they were read",
        { cause: error },
      );
    }
    throw error;
  }
}

/** Prepared once per shape (which columns are set, whether a session is opened): see prepareQuery. */
const insertRows = prepareQuery(
  "insertAcceptedRun",
  (
    db,
    p: {
      run: AcceptedRunRows["run"];
      newSession: AcceptedRunRows["newSession"];
      eventData: string;
      dedupeKey: string;
    },
  ) => {
    // The session CTE only exists when a session is opened; both shapes are QueryCreators over the
    // same tables, which TypeScript cannot see through the extra CTE name.
    const creator: QueryCreator<Database> = p.newSession
      ? (db.with("new_session", (qb) =>
          qb.insertInto("agent_sessions").values(p.newSession!),
        ) as unknown as QueryCreator<Database>)
      : db;
    return creator
      .with("new_run", (qb) => qb.insertInto("runs").values(p.run).returningAll())
      .with("accepted_event", (qb) =>
        qb
          .insertInto("run_events")
          .values({
            run_id: p.run.id,
            type: "run.accepted",
            data: p.eventData,
            dedupe_key: p.dedupeKey,
          })
          .onConflict((oc) => oc.column("dedupe_key").doNothing()),
      )
      .selectFrom("new_run")
      .selectAll();
  },
);

/** SQLSTATE of the runs trigger check_run_controls_version (migration 2026_12_01_0100). */
function isControlsVersionStale(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "PY001";
}

function isIdempotencyKeyTaken(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  return code === "23505" && constraint === "runs_idempotency_key_idx";
}
