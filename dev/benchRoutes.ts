import { readFileSync } from "node:fs";
import { Session } from "node:inspector";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { type Kysely, sql } from "kysely";
import { start } from "workflow/api";
import { getWorld } from "workflow/runtime";
import { z } from "zod";
import type { Database } from "../lib/db/database.js";
import { getDb, getDbHandle } from "../lib/db/index.js";
import { json } from "../lib/http/respond.js";
import { newId } from "../lib/ids.js";
import { afterRequests, answerFirst } from "../lib/world/requestsFirst.js";
import type { benchNoop } from "../workflows/benchNoop.js";

/** The calling thread's time on a CPU so far (ms), from Linux's schedstat; null elsewhere. */
function threadCpuMs(): number | null {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}

/** Session.post as a promise. */
function inspectorPost(session: Session) {
  return (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
    });
}

/** A handler that answers the requests it owns and returns undefined for the rest. */
export type ExtraRoutes = (request: Request) => Promise<Response | undefined>;

const benchNoopWorkflow = {
  workflowId: "workflow//./workflows/benchNoop//benchNoop",
} as unknown as typeof benchNoop;

const benchSessionId = "ses_bench";

/** The floor's one INSERT: its accept's whole write (bench/lib/acceptInProcessChild.ts makes it too). */
export async function insertFloorRun(db: Kysely<Database>, sessionId: string): Promise<string> {
  const id = newId("run");
  await db
    .insertInto("runs")
    .values({
      id,
      session_id: sessionId,
      kind: "bench",
      command: "noop",
      // Not "running": the world, not this row, tracks the floor's run, and a running row would be
      // picked up by finishEndedRuns (world reads and writes in the middle of Paygent's bursts).
      status: "completed",
    })
    .execute();
  return id;
}

interface TableStats {
  table: string;
  liveRows: number;
  deadRows: number;
  bytes: string;
  lastVacuum: string | null;
}

const statusBody = z.object({
  runIds: z.array(z.string().max(64)).max(500).default([]),
  workflowRunIds: z.array(z.string().max(64)).max(500).default([]),
});

/**
 * Routes only the local host serves, and only with DEV_BENCH_ROUTES=true: `npm run bench runs`
 * measures the run-path floor through them, in the same host and world as Paygent's commands.
 * - POST /__bench/noop?steps=N[&outbox=1]: one INSERT, then start() of the no-op workflow, then
 *   202 (outbox=1: 202 right after the INSERT; start() runs just after and records the id).
 * - POST /__bench/status {runIds, workflowRunIds}: status and server-side end time of our runs
 *   (runs table) and of workflow runs (the world), so clients need not poll each run.
 * - GET /__bench/workflow-run/:id: a workflow run's status and its steps (name, start, end).
 * - GET /__bench/stats[?gc=1]: resident memory, heap and event-loop utilisation of this process.
 * - GET /__bench/cpu: CPU time so far (ms) of this process, its main thread and, when PGlite runs
 *   in a worker thread, of that thread (Linux; the other threads are libuv's pool and V8's).
 * - POST /__bench/profile/start[?intervalUs=N], then /stop: a CPU profile of this process in between.
 * - POST /__bench/heap/start, then /stop: a sampled allocation profile of the main thread in between
 *   (objects already collected included).
 * - GET /__bench/tables: live and dead rows and size of each table; POST /__bench/vacuum runs
 *   VACUUM ANALYZE (to tell table bloat from other history effects).
 * No api/ function serves these, so nothing of it ships to Vercel.
 */
export function createBenchRoutes(): ExtraRoutes {
  let session: Promise<unknown> | undefined;
  const ensureSession = async () => {
    session ??= getDb().then((db) =>
      db
        .insertInto("agent_sessions")
        .values({ id: benchSessionId, api_key_id: null })
        .onConflict((oc) => oc.column("id").doNothing())
        .execute(),
    );
    await session;
  };
  let profiler: Session | undefined;
  let heapProfiler: Session | undefined;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();

  /** POST /__bench/noop: one INSERT, start() (before or after the 202), the run's ids. */
  const acceptNoop = async (url: URL): Promise<Response> => {
    const steps = Number(url.searchParams.get("steps") ?? "2");
    if (!Number.isInteger(steps) || steps < 1 || steps > 50) {
      return json(
        { error: { code: "bad_request", message: "steps must be 1–50" } },
        { status: 400 },
      );
    }
    await ensureSession();
    const db = await getDb();
    const id = await insertFloorRun(db, benchSessionId);
    const startWorkflow = async () => {
      const run = await start(benchNoopWorkflow, [{ steps }]);
      return run.runId;
    };
    if (url.searchParams.get("outbox") === "1") {
      // The dispatcher half of an outbox: start() after the answer, then record the id.
      // As Paygent's outbox does, the start waits for the API requests in hand (requestsFirst).
      void afterRequests()
        .then(startWorkflow)
        .then((workflowRunId) =>
          db
            .updateTable("runs")
            .set({ workflow_run_id: workflowRunId })
            .where("id", "=", id)
            .execute(),
        );
      return json({ id }, { status: 202 });
    }
    return json({ id, workflowRunId: await startWorkflow() }, { status: 202 });
  };

  return async (request) => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/__bench/")) return undefined;
    const route = url.pathname.slice("/__bench/".length);

    if (request.method === "POST" && route === "noop") {
      // An accept, as Paygent's are: queue deliveries wait for it (requestsFirst).
      return answerFirst(() => acceptNoop(url));
    }

    if (request.method === "POST" && route === "status") {
      const body = statusBody.parse(await request.json());
      const db = await getDb();
      const runs = body.runIds.length
        ? await db
            .selectFrom("runs")
            .select(["id", "status", "workflow_run_id", "finished_at"])
            .where("id", "in", body.runIds)
            .execute()
        : [];
      const world = getWorld();
      const workflowRuns = await Promise.all(
        body.workflowRunIds.map(async (id) => {
          const run = await world.runs.get(id, { resolveData: "none" }).catch(() => undefined);
          return {
            id,
            status: run?.status ?? "unknown",
            finishedAt: run?.completedAt?.toISOString() ?? null,
          };
        }),
      );
      return json({
        runs: runs.map((run) => ({
          id: run.id,
          status: run.status,
          workflowRunId: run.workflow_run_id,
          finishedAt: run.finished_at?.toISOString() ?? null,
        })),
        workflowRuns,
      });
    }

    const workflowRun = /^workflow-run\/([\w-]+)$/.exec(route);
    if (request.method === "GET" && workflowRun) {
      const world = getWorld();
      const id = workflowRun[1]!;
      const run = await world.runs.get(id, { resolveData: "none" });
      const steps = await world.steps.list({ runId: id, resolveData: "none" });
      return json({
        id,
        status: run.status,
        workflowName: run.workflowName,
        createdAt: run.createdAt.toISOString(),
        startedAt: run.startedAt?.toISOString() ?? null,
        completedAt: run.completedAt?.toISOString() ?? null,
        // The world lists newest first; in order of creation they read as the workflow runs them.
        steps: [...steps.data]
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
          .map((step) => ({
            name: step.stepName,
            status: step.status,
            startedAt: step.startedAt?.toISOString() ?? null,
            completedAt: step.completedAt?.toISOString() ?? null,
          })),
      });
    }

    if (request.method === "POST" && (route === "profile/start" || route === "profile/stop")) {
      // A CPU profile of exactly the window between start and stop (chrome devtools format).
      profiler ??= new Session();
      const post = inspectorPost(profiler);
      if (route === "profile/start") {
        profiler.connect();
        await post("Profiler.enable");
        // ?intervalUs=100 samples finely enough to read one lone run's timeline.
        const intervalUs = Number(url.searchParams.get("intervalUs") ?? "0");
        if (intervalUs > 0) await post("Profiler.setSamplingInterval", { interval: intervalUs });
        await post("Profiler.start");
        return json({ started: true });
      }
      const { profile } = (await post("Profiler.stop")) as { profile: unknown };
      profiler.disconnect();
      profiler = undefined;
      return json(profile);
    }

    if (request.method === "POST" && (route === "heap/start" || route === "heap/stop")) {
      // What this process allocated between start and stop, sampled (collected objects included):
      // where the garbage a burst leaves to V8's GC threads comes from.
      heapProfiler ??= new Session();
      const session = heapProfiler;
      const post = inspectorPost(session);
      if (route === "heap/start") {
        session.connect();
        await post("HeapProfiler.enable");
        await post("HeapProfiler.startSampling", {
          samplingInterval: 16384,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
        return json({ started: true });
      }
      const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: unknown };
      session.disconnect();
      heapProfiler = undefined;
      return json(profile);
    }

    if (request.method === "GET" && route === "tables") {
      // Live and dead rows and on-disk size per table: an embedded PGlite has no autovacuum.
      const db = await getDb();
      const { rows } = await sql<TableStats>`
        select relname as "table", n_live_tup::int as "liveRows", n_dead_tup::int as "deadRows",
          pg_total_relation_size(relid)::bigint::text as "bytes",
          coalesce(last_vacuum, last_autovacuum)::text as "lastVacuum"
        from pg_stat_user_tables order by pg_total_relation_size(relid) desc`.execute(db);
      return json({ tables: rows });
    }

    if (request.method === "POST" && route === "vacuum") {
      const db = await getDb();
      const started = performance.now();
      await sql`vacuum analyze`.execute(db);
      return json({ ms: Math.round(performance.now() - started) });
    }

    if (request.method === "GET" && route === "cpu") {
      const usage = process.cpuUsage();
      const handle = await getDbHandle();
      return json({
        processMs: (usage.user + usage.system) / 1000,
        mainThreadMs: threadCpuMs(),
        pgliteWorkerMs: (await handle.workerCpuMs?.()) ?? null,
      });
    }
    if (request.method === "GET" && route === "stats") {
      // With --expose-gc, ?gc=1 collects first, so heap figures compare live data, not garbage.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (url.searchParams.get("gc") === "1" && gc) gc();
      const memory = process.memoryUsage();
      const elu = performance.eventLoopUtilization();
      return json({
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        externalBytes: memory.external,
        eventLoop: { idle: elu.idle, active: elu.active, delayP99Ms: delay.percentile(99) / 1e6 },
      });
    }
    return json(
      { error: { code: "not_found", message: `No bench route ${url.pathname}` } },
      { status: 404 },
    );
  };
}
