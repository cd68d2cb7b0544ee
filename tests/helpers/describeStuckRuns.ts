import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** Where a host keeps its runs: the app's database, and the workflow world's state. */
export interface StuckRunSources {
  databaseUrl: string;
  world: "local" | "postgres";
  /** The local world's data folder (the host's WORKFLOW_LOCAL_DATA_DIR). */
  localDataDir?: string;
  /** Every host process's output, in order. */
  outputs: string[];
}

/**
 * What a test needs to see when runs did not settle: for each run, its workflow events in order
 * (type, correlation, time), the Postgres world's queue jobs that name the run, and the host log
 * lines that mention it. A chaos run that fails in CI shows only what its assertion prints, so the
 * assertion prints this.
 */
export async function describeStuckRuns(
  runIds: string[],
  sources: StuckRunSources,
): Promise<string> {
  if (runIds.length === 0) return "";
  const db = new pg.Client({ connectionString: sources.databaseUrl });
  await db.connect();
  try {
    const sections: string[] = [];
    for (const runId of runIds) {
      const row = await db.query<{ workflow_run_id: string | null }>(
        "select workflow_run_id from runs where id = $1",
        [runId],
      );
      const workflowRunId = row.rows[0]?.workflow_run_id ?? undefined;
      const lines = [`--- ${runId} (workflow ${workflowRunId ?? "none"})`];
      if (workflowRunId) {
        lines.push(...(await workflowEvents(db, workflowRunId, sources)));
        if (sources.world === "postgres") lines.push(...(await queueJobs(db, workflowRunId)));
      }
      const mentions = sources.outputs
        .flatMap((output, host) =>
          output
            .split("\n")
            .filter(
              (line) =>
                line.includes(runId) ||
                (workflowRunId !== undefined && line.includes(workflowRunId)),
            )
            .map((line) => `host ${host}: ${line.slice(0, 400)}`),
        )
        .slice(-40);
      lines.push(...mentions);
      sections.push(lines.join("\n"));
    }
    return sections.join("\n");
  } finally {
    await db.end();
  }
}

async function workflowEvents(
  db: pg.Client,
  workflowRunId: string,
  sources: StuckRunSources,
): Promise<string[]> {
  if (sources.world === "postgres") {
    const events = await db.query<{
      type: string;
      correlation_id: string | null;
      created_at: Date;
    }>(
      "select type, correlation_id, created_at from workflow.workflow_events where run_id = $1 order by id",
      [workflowRunId],
    );
    return events.rows.map(
      (event) =>
        `event ${event.created_at.toISOString()} ${event.type} ${event.correlation_id ?? ""}`,
    );
  }
  if (!sources.localDataDir) return ["(no local data folder given)"];
  const folder = path.join(sources.localDataDir, "events");
  const names = (await readdir(folder).catch(() => [] as string[]))
    .filter((name) => name.startsWith(workflowRunId))
    .sort();
  const lines: string[] = [];
  for (const name of names) {
    const event = JSON.parse(await readFile(path.join(folder, name), "utf8")) as {
      eventType?: string;
      correlationId?: string;
      createdAt?: string;
    };
    lines.push(`event ${event.createdAt} ${event.eventType} ${event.correlationId ?? ""}`);
  }
  return lines;
}

/** graphile-worker's jobs whose payload names the run (step and flow messages carry its id). */
async function queueJobs(db: pg.Client, workflowRunId: string): Promise<string[]> {
  let rows: {
    id: string;
    key: string | null;
    attempts: number;
    max_attempts: number;
    locked_by: string | null;
    locked_at: Date | null;
    run_at: Date;
    last_error: string | null;
  }[];
  try {
    ({ rows } = await db.query(
      `select j.id::text, j.key, j.attempts, j.max_attempts, j.locked_by, j.locked_at, j.run_at, j.last_error
         from graphile_worker._private_jobs j
        where convert_from(decode(j.payload->>'data', 'base64'), 'UTF8') like '%' || $1 || '%'
        order by j.id`,
      [workflowRunId],
    ));
  } catch (error) {
    return [`(queue jobs unreadable: ${String(error)})`];
  }
  if (rows.length === 0) return ["queue: no job names this run"];
  return rows.map(
    (job) =>
      `queue job ${job.id} key=${job.key} attempts=${job.attempts}/${job.max_attempts} locked_by=${job.locked_by} locked_at=${job.locked_at?.toISOString() ?? "-"} run_at=${job.run_at.toISOString()} error=${(job.last_error ?? "").slice(0, 200)}`,
  );
}
