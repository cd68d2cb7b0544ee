import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repairHalfCompletedSteps } from "../../../lib/world/repairHalfCompletedSteps.js";
import { databaseDrivers } from "../../helpers/db.js";
import { createPostgresWorld, type PostgresWorld } from "../../helpers/postgresWorld.js";

const available = (await databaseDrivers()).some((d) => d.driver === "pg" && d.available);

let world: PostgresWorld | undefined;
let pool: pg.Pool;

beforeAll(async () => {
  if (!available) return;
  world = await createPostgresWorld("paygent_half_steps");
  pool = new pg.Pool({ connectionString: world.env.WORKFLOW_POSTGRES_URL, max: 2 });
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await world?.drop();
});

/** A step row as the Postgres world writes it, finished `ageSeconds` ago (or still running). */
async function step(id: string, status: string, ageSeconds: number, endEvent?: string) {
  await pool.query(
    `insert into workflow.workflow_steps (run_id, step_id, step_name, status, attempt, updated_at)
     values ('wrun_half', $1, 'step//./workflows/steps/balance//balance', $2, 1,
             now() - make_interval(secs => $3))`,
    [id, status, ageSeconds],
  );
  for (const type of ["step_created", "step_started", ...(endEvent ? [endEvent] : [])])
    await pool.query(
      `insert into workflow.workflow_events (id, type, correlation_id, run_id)
       values ($1, $2, $3, 'wrun_half')`,
      [`evnt_${id}_${type}`, type, id],
    );
}

async function statusOf(id: string): Promise<string> {
  const { rows } = await pool.query(
    "select status from workflow.workflow_steps where step_id = $1",
    [id],
  );
  return rows[0].status;
}

describe("repairHalfCompletedSteps (Postgres world, real Postgres)", () => {
  test.skipIf(!available)(
    "error: a step finished in its row but not in the event log (a host killed between the two writes) runs again; whole and young ones are left alone",
    async () => {
      await step("step_half", "completed", 60);
      await step("step_half_failed", "failed", 60);
      await step("step_whole", "completed", 60, "step_completed");
      await step("step_whole_failed", "failed", 60, "step_failed");
      await step("step_young", "completed", 2);
      await step("step_running", "running", 60);

      expect(await repairHalfCompletedSteps(pool, 30)).toBe(2);
      expect(await statusOf("step_half")).toBe("running");
      expect(await statusOf("step_half_failed")).toBe("running");
      expect(await statusOf("step_whole")).toBe("completed");
      expect(await statusOf("step_whole_failed")).toBe("failed");
      expect(await statusOf("step_young")).toBe("completed");
      expect(await statusOf("step_running")).toBe("running");
      expect(await repairHalfCompletedSteps(pool, 30)).toBe(0);
    },
  );
});
