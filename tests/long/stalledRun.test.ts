import { afterAll, describe, expect, it } from "vitest";
import { restartableHostData, startHostProcess } from "../helpers/host.js";
import { createPostgresWorld } from "../helpers/postgresWorld.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * A step's outcome is recorded before the world is asked to run the workflow on. If that request
 * is lost (a host killed between the two, a queue job dropped for good), the run has a completed
 * step, nothing in flight and nothing to wait on: without a guard it stays `running` forever. The
 * host here drops the first continuation it queues (PAYGENT_FAULT=lose-continuation), so a balance
 * command stops after its parse step; the background checks' stalled-run guard
 * (resumeStalledRuns) must queue the workflow again, and the run completes with each step once.
 * Run on the local world and on the Postgres world.
 */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

const worlds = ["local", "postgres"] as const;

describe.each(worlds)(
  "behavior: a run whose continuation was lost is resumed (%s world)",
  (world) => {
    it("the stalled-run guard queues the workflow again and the run completes", async () => {
      const { base, dispose } = await restartableHostData("stalled-run");
      cleanups.push(dispose);
      let worldEnv: Record<string, string> = {};
      if (world === "postgres") {
        const postgres = await createPostgresWorld("paygent_stalled");
        cleanups.push(postgres.drop);
        worldEnv = postgres.env;
      }
      const host = await startHostProcess({
        ...base,
        env: { ...worldEnv, PAYGENT_FAULT: "lose-continuation", STALLED_RUN_SECONDS: "3" },
      });
      cleanups.push(() => host.stop());

      const accepted = await execute(host, { command: "what's my balance" });
      const run = await waitForRun(
        host,
        accepted.runId,
        ["completed", "failed", "cancelled"],
        60_000,
      );
      const output = host.output();
      expect(output).toContain("dropping a workflow continuation");
      expect(output).toContain("resumed a stalled run");
      expect(run.status, JSON.stringify(run.error)).toBe("completed");
      const balances = run.steps.filter((step: { action: string }) => step.action === "balance");
      expect(balances).toHaveLength(1);
      expect(balances[0].status).toBe("completed");
    }, 180_000);
  },
);
