import pg from "pg";
import { log } from "../log.js";

/**
 * The Postgres world queues work in graphile-worker, which frees a job locked by a worker that
 * died (SIGKILL, OOM, a lost machine) only after 4 hours. Until then the run waits: a step in
 * flight at the crash is neither finished nor retried. This releases locks older than
 * `olderThanSeconds` (longer than any step may legitimately run), exactly as graphile-worker's own
 * stale-lock reset does, only sooner. Steps are idempotent, so a step re-run after a reclaim is
 * safe. Returns how many jobs were released.
 */
export async function reclaimStaleJobs(pool: pg.Pool, olderThanSeconds: number): Promise<number> {
  const interval = `${Math.max(1, Math.floor(olderThanSeconds))} seconds`;
  const client = await pool.connect();
  try {
    const jobs = await client.query(
      `update graphile_worker._private_jobs
          set locked_at = null, locked_by = null, run_at = greatest(run_at, now())
        where locked_at < now() - $1::interval`,
      [interval],
    );
    await client.query(
      `update graphile_worker._private_job_queues
          set locked_at = null, locked_by = null
        where locked_at < now() - $1::interval`,
      [interval],
    );
    if (jobs.rowCount)
      log.warn("released workflow jobs locked by a dead worker", { count: jobs.rowCount });
    return jobs.rowCount ?? 0;
  } finally {
    client.release();
  }
}

/** A pool for reclaimStaleJobs on the Postgres world's database. */
export function createWorldPool(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 1 });
}
