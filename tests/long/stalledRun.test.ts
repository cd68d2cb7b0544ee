import { afterAll, describe, expect, it } from "vitest";
import { restartableHostData, startHostProcess } from "../helpers/host.js";
import { createPostgresWorld } from "../helpers/postgresWorld.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * A step's outcome is recorded before the world is asked to run the workflow on, and a step is
 * created before its job is queued. If that message is lost (a host killed between the two, a
 * queue job dropped for good), the run has nothing in flight and nothing to wait on: without a
 * guard it stays `running` forever. The host here loses one queue message (PAYGENT_FAULT): the
 * first continuation (the run stops after its parse step) or the first step job (its parse step
 * is created and never starts). The background checks' stalled-run guard (resumeStalledRuns) must
 * queue the workflow again, and the balance command completes with its balance step once. The
 * third fault is a step that started and never answers (a hung call): its delivery is abandoned at
 * the step deadline (answerWithinDeadline) and delivered again.
 * Each on the local world and on the Postgres world.
 */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

const cases = [
  { world: "local", fault: "lose-continuation" },
  { world: "local", fault: "lose-step-job" },
  { world: "local", fault: "hang-step" },
  { world: "postgres", fault: "lose-continuation" },
  { world: "postgres", fault: "lose-step-job" },
  { world: "postgres", fault: "hang-step" },
] as const;

/** What the host must have logged: the fault, and what freed the run from it. */
const expectedLog = {
  "lose-continuation": ["fault injection: dropping a queue message", "resumed a stalled run"],
  "lose-step-job": ["fault injection: dropping a queue message", "resumed a stalled run"],
  "hang-step": [
    "fault injection: hanging a step",
    "abandoned a queue delivery past the step deadline",
  ],
} as const;

describe.each(cases)(
  "behavior: a run whose queue message was lost, or whose step hangs, is resumed ($world world, $fault)",
  ({ world, fault }) => {
    it("the run is queued or delivered again and completes with one balance step", async () => {
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
        env: {
          ...worldEnv,
          PAYGENT_FAULT: fault,
          STALLED_RUN_SECONDS: "3",
          // The hung step's delivery is abandoned after 5 s (default 300 s).
          STEP_DEADLINE_SECONDS: "5",
        },
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
      for (const line of expectedLog[fault]) expect(output).toContain(line);
      expect(run.status, JSON.stringify(run.error)).toBe("completed");
      const balances = run.steps.filter((step: { action: string }) => step.action === "balance");
      expect(balances).toHaveLength(1);
      expect(balances[0].status).toBe("completed");
    }, 180_000);
  },
);
