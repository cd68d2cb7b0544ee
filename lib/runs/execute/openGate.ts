import { type Kysely, sql } from "kysely";
import type { Action } from "../../actions/schemas.js";
import type { Plan } from "../../agent/plan.js";
import type { Database, Run } from "../../db/database.js";
import { prepareQuery } from "../../db/prepareQuery.js";
import { appendRunEvent } from "../events.js";
import { isTerminal, lockRun, terminalRunStatuses } from "../runState.js";
import { approvalVerdict, type RefusalCode } from "./approvalVerdict.js";
import { approvedTokenOf } from "./approvedTokenOf.js";
import {
  type CompletionRead,
  completionReadColumns,
  splitCompletionRead,
} from "./prepareCompletion.js";

/** What the workflow learns from an action step: go on, stop, or wait for an event. */
export interface ActionResult {
  status: "completed" | "failed" | "cancelled" | "waiting";
  waitFor?: { token: string };
  /**
   * Set when a step resumed after the wait it was told of (`waitedOn`) now waits on another event:
   * it moved on (the approval was mined and the swap sent; a dropped transaction was sent again),
   * so the workflow waits on that one too instead of giving up on a race.
   */
  newWait?: true;
}

/**
 * Either the action may run (with the approved or edited action), or the step answers at once.
 * `approvedToken`: the step's latest approved (or edited) approval request, when the gate read it
 * (null: none); undefined → the policy gate reads it.
 */
export type Gate =
  | {
      go: true;
      run: Run;
      action: Action;
      approvedToken?: string | null;
      /** What completing the run reads, as the gate saw it (the one-statement path only). */
      completion?: CompletionRead;
    }
  | {
      go: false;
      result: ActionResult;
      refusal?: { code: RefusalCode; message: string };
    };

/**
 * The policy gate before money moves, under the run's row lock (the lock cancel takes too, so no
 * action starts after a cancel is accepted): cancel flag, terminal run, an already completed or
 * waiting step, and the stored approval decision. Marks the step running.
 *
 * An action without an approval goes through in one statement (startStep), which also reads the
 * run and the planned action; anything else (an approval to read, or any answer but "go") takes
 * the locked transaction, unchanged.
 */
export async function openGate(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; resume: boolean },
): Promise<Gate> {
  const started = await startStep(db, parameters);
  if (started) return { go: true, ...started };
  return openGateLocked(db, parameters);
}

/**
 * Marks the step running, the run running and appends step.started, in one statement and only if
 * the transaction below would have: the `target` CTE takes the run's row lock (as lockRun does),
 * checks the cancel flag and status on the newest row version (Postgres re-reads a row changed
 * while the statement waited for its lock) and finds the planned action, which must need no
 * approval; the step's update re-checks its status on the newest version too. The other writes
 * happen only if the step's did. Returns the run as locked, the planned action and the approved
 * token, or undefined when nothing was written: the locked transaction then decides what the step
 * answers.
 */
async function startStep(
  db: Kysely<Database>,
  parameters: { runId: string; index: number; resume: boolean },
): Promise<
  { run: Run; action: Action; approvedToken: string | null; completion: CompletionRead } | undefined
> {
  const { runId, index, resume } = parameters;
  const [row] = await (resume ? startResumedStep : startFreshStep)(db, {
    runId,
    index,
    now: new Date(),
    dedupeKey: `${runId}:${index}:started`,
  });
  if (!row) return undefined;
  const { run: columns, read: completion } = splitCompletionRead(row);
  const { started_id: _, planned, approved_token: approvedToken, ...run } = columns;
  return { run, action: (planned as PlannedAction).action, approvedToken, completion };
}

type PlannedAction = Plan["actions"][number];

type StartStepValues = {
  runId: string;
  index: number;
  now: Date;
  dedupeKey: string;
};

/** startStep's statement (prepared, see prepareQuery: every action step runs it). */
function buildStartStep(resume: boolean) {
  return (db: Kysely<Database>, p: StartStepValues) =>
    db
      .with("target", (qb) =>
        qb
          .selectFrom("runs")
          .selectAll()
          .select(
            // The plan never changes once stored; the action is the one planned at this index.
            sql<unknown>`jsonb_path_query_first("plan", '$.actions[*] ? (@.index == $index)', jsonb_build_object('index', ${p.index}::int))`.as(
              "planned",
            ),
          )
          .where("id", "=", p.runId)
          .where("cancel_requested_at", "is", null)
          .where("status", "not in", terminalRunStatuses)
          .forUpdate(),
      )
      .with("started", (qb) =>
        qb
          .updateTable("run_steps")
          .set((eb) => ({
            status: "running",
            started_at: eb.fn.coalesce("started_at", sql<Date>`${p.now}::timestamptz`),
            attempts: eb("attempts", "+", 1),
            input: eb.selectFrom("target").select(sql<string>`planned -> 'action'`.as("action")),
          }))
          .where("run_id", "=", p.runId)
          .where("step_index", "=", p.index)
          .where("status", "<>", "completed")
          // A waiting step answers "waiting" unless this is the run after its event.
          .$if(!resume, (qb) => qb.where("status", "<>", "waiting_event"))
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom("target")
                .select("id")
                .where(sql<boolean>`planned ->> 'requiresApproval' = 'false'`),
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
              .selectFrom(["started", "target"])
              .select([
                sql<string>`${p.runId}::text`.as("run_id"),
                sql<string>`'step.started'`.as("type"),
                sql<unknown>`jsonb_build_object('index', ${p.index}::int, 'action', planned -> 'action' ->> 'type')`.as(
                  "data",
                ),
                sql<string>`${p.dedupeKey}::text`.as("dedupe_key"),
              ]),
          )
          .onConflict((oc) => oc.column("dedupe_key").doNothing())
          .returning("id"),
      )
      .selectFrom(["started", "target"])
      .selectAll("target")
      .select((eb) => [
        "started.id as started_id",
        // For the policy gate: approved and edited requests are final, and only the requestApproval
        // step (which runs before this one) creates them, so this is what the gate would read later.
        approvedTokenOf(eb, p.runId, p.index).as("approved_token"),
        // For recordOutcome, should this be the run's last action: it completes the run from this.
        ...completionReadColumns(db, p.runId),
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
        return {
          go: false,
          result: { status: "failed" },
          refusal: { code: verdict.code, message: verdict.reason },
        };
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
