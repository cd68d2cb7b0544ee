import { type Kysely, sql } from "kysely";
import type { Action } from "../../actions/schemas.js";
import type { Plan } from "../../agent/plan.js";
import type { Database, Run } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import { appendRunEvent } from "../events.js";
import { isTerminal, lockRun, readRun, terminalRunStatuses } from "../runState.js";
import { approvalVerdict } from "./approvalVerdict.js";
import { approvedTokenOf } from "./approvedTokenOf.js";

/** What the workflow learns from an action step: go on, stop, or wait for an event. */
export interface ActionResult {
  status: "completed" | "failed" | "cancelled" | "waiting";
  waitFor?: { token: string };
}

/**
 * Either the action may run (with the approved or edited action), or the step answers at once.
 * `approvedToken`: the step's latest approved (or edited) approval request, when the gate read it
 * (null: none); undefined → the policy gate reads it.
 */
export type Gate =
  | { go: true; run: Run; action: Action; approvedToken?: string | null }
  | { go: false; result: ActionResult; refusal?: string };

/**
 * The policy gate before money moves, under the run's row lock (the lock cancel takes too, so no
 * action starts after a cancel is accepted): cancel flag, terminal run, an already completed or
 * waiting step, and the stored approval decision. Marks the step running.
 *
 * An action without an approval goes through in one statement (startStep); anything else (an
 * approval to read, or any answer but "go") takes the locked transaction, unchanged.
 */
export async function openGate(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; resume: boolean },
): Promise<Gate> {
  const { runId, index, resume } = parameters;
  // The plan never changes once stored (and the step's row exists only then), so reading it
  // without the lock is safe; everything that can change is checked again by startStep.
  const run = await readRun(db, runId);
  const planned = (run?.plan as Plan | null)?.actions.find((a) => a.index === index);
  if (run && planned && !planned.requiresApproval) {
    const started = await startStep(db, { runId, index, resume, action: planned.action });
    if (started) return { go: true, run, action: planned.action, ...started };
  }
  return openGateLocked(db, parameters);
}

/**
 * Marks the step running, the run running and appends step.started, in one statement and only if
 * the transaction below would have: the sub-select `for update` takes the run's row lock (as
 * lockRun does) and checks the cancel flag and status on the newest row version; the step's
 * update re-checks its status on the newest version too (Postgres re-reads a row changed while
 * the statement waited). The other writes happen only if the step's did. Returns undefined when
 * nothing was written: the locked transaction then decides what the step answers.
 */
async function startStep(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; resume: boolean; action: Action },
): Promise<{ approvedToken: string | null } | undefined> {
  const { runId, index, resume, action } = parameters;
  const [row] = await (resume ? startResumedStep : startFreshStep)(db, {
    runId,
    index,
    now: new Date(),
    input: JSON.stringify(action),
    eventData: JSON.stringify({ index, action: action.type }),
    dedupeKey: `${runId}:${index}:started`,
  });
  return row ? { approvedToken: row.approved_token } : undefined;
}

type StartStepValues = {
  runId: string;
  index: number;
  now: Date;
  input: string;
  eventData: string;
  dedupeKey: string;
};

/** startStep's statement (prepared, see prepareQuery: every action step runs it). */
function buildStartStep(resume: boolean) {
  return (db: Kysely<Database>, p: StartStepValues) =>
    db
      .with("started", (qb) =>
        qb
          .updateTable("run_steps")
          .set((eb) => ({
            status: "running",
            started_at: eb.fn.coalesce("started_at", sql<Date>`${p.now}::timestamptz`),
            attempts: eb("attempts", "+", 1),
            input: p.input,
          }))
          .where("run_id", "=", p.runId)
          .where("step_index", "=", p.index)
          .where("status", "<>", "completed")
          // A waiting step answers "waiting" unless this is the run after its event.
          .$if(!resume, (qb) => qb.where("status", "<>", "waiting_event"))
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom("runs")
                .select("id")
                .where("id", "=", p.runId)
                .where("cancel_requested_at", "is", null)
                .where("status", "not in", terminalRunStatuses)
                .forUpdate(),
            ),
          )
          .returning("id"),
      )
      .with("running", (qb) =>
        qb
          .updateTable("runs")
          .set({ status: "running", updated_at: p.now })
          .where("id", "=", p.runId)
          .where((eb) => eb.exists(eb.selectFrom("started").select("id")))
          .returning("id"),
      )
      .with("event", (qb) =>
        qb
          .insertInto("run_events")
          .columns(["run_id", "type", "data", "dedupe_key"])
          .expression(
            qb
              .selectFrom("started")
              .select([
                sql<string>`${p.runId}::text`.as("run_id"),
                sql<string>`'step.started'`.as("type"),
                sql<unknown>`${p.eventData}::jsonb`.as("data"),
                sql<string>`${p.dedupeKey}::text`.as("dedupe_key"),
              ]),
          )
          .onConflict((oc) => oc.column("dedupe_key").doNothing())
          .returning("id"),
      )
      .selectFrom("started")
      .select((eb) => [
        "started.id",
        // For the policy gate: approved and edited requests are final, and only the requestApproval
        // step (which runs before this one) creates them, so this is what the gate would read later.
        approvedTokenOf(eb, p.runId, p.index).as("approved_token"),
      ]);
}

const startFreshStep = prepareQuery("startStep", buildStartStep(false));
const startResumedStep = prepareQuery("startStep, resumed", buildStartStep(true));

/** The gate under the run's row lock: every case the one-statement path leaves to it. */
async function openGateLocked(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; resume: boolean },
): Promise<Gate> {
  const { runId, index, resume } = parameters;
  return db.transaction().execute(async (trx): Promise<Gate> => {
    const run = await lockRun(trx, runId);
    if (!run) return { go: false, result: { status: "failed" } };
    if (run.cancel_requested_at || run.status === "cancelled")
      return { go: false, result: { status: "cancelled" } };
    if (isTerminal(run.status))
      return { go: false, result: { status: run.status as ActionResult["status"] } };
    const step = await trx
      .selectFrom("run_steps")
      .selectAll()
      .where("run_id", "=", runId)
      .where("step_index", "=", index)
      .executeTakeFirstOrThrow();
    if (step.status === "completed") return { go: false, result: { status: "completed" } };
    if (step.status === "waiting_event" && !resume) {
      const waitFor = (step.output as { waitFor?: { token: string } } | null)?.waitFor;
      if (waitFor) return { go: false, result: { status: "waiting", waitFor } };
    }
    const planned = (run.plan as Plan).actions.find((a) => a.index === index)!;
    let action = planned.action;
    if (planned.requiresApproval) {
      const approval = await trx
        .selectFrom("approval_requests")
        .selectAll()
        .where("run_id", "=", runId)
        .where("step_index", "=", index)
        .orderBy("created_at", "desc")
        .executeTakeFirst();
      const verdict = approvalVerdict(approval);
      if (verdict.kind === "refused")
        return { go: false, result: { status: "failed" }, refusal: verdict.reason };
      if (verdict.kind === "edited") action = verdict.action;
    }
    const now = new Date();
    await trx
      .updateTable("run_steps")
      .set((eb) => ({
        status: "running",
        started_at: step.started_at ?? now,
        attempts: eb("attempts", "+", 1),
        input: JSON.stringify(action),
      }))
      .where("id", "=", step.id)
      .execute();
    await trx
      .updateTable("runs")
      .set({ status: "running", updated_at: now })
      .where("id", "=", runId)
      .execute();
    await appendRunEvent(trx, {
      runId,
      type: "step.started",
      data: { index, action: action.type },
      dedupeKey: `${runId}:${index}:started`,
    });
    return { go: true, run, action };
  });
}
