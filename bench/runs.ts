import { performance } from "node:perf_hooks";
import { getWorld } from "workflow/runtime";
import { disposeHostData, type HostProcess, startHostProcess } from "../tests/helpers/host.js";
import { type BenchRow, percentile, round } from "./stats.js";

/**
 * Durable runs on the embedded defaults (PGlite, memory cache, local world, anvil devnet), through
 * a real local host process over HTTP:
 * - POST /api/agent/execute → 202 latency at 1 and at 50 concurrent requests;
 * - a balance command from POST to status "completed";
 * - the step boundary between the named parse and plan steps (one step before issue 12), read from
 *   the Workflow DevKit's own step records: plan started − parse completed.
 */
export async function run(): Promise<BenchRow[]> {
  const host = await startHostProcess({
    env: { RATE_LIMIT_PER_MINUTE: "1000000", LOG_LEVEL: "error" },
  });
  try {
    const post = async () => {
      const started = performance.now();
      const response = await host.request("POST", "/api/agent/execute", {
        command: "what's my balance",
      });
      if (response.status !== 202)
        throw new Error(`POST answered ${response.status}: ${JSON.stringify(response.body)}`);
      return { ms: performance.now() - started, runId: response.body.runId as string };
    };
    // Polls every 10 ms: tighter polling measures the poller (each GET queues on the embedded
    // database's single connection) more than the run. The run's own timings are reported too.
    const waitCompleted = async (runId: string): Promise<number> => {
      for (;;) {
        const { body } = await host.request("GET", `/api/runs/${runId}`);
        if (body.status === "completed") return body.timings.durationMs as number;
        if (body.status === "failed" || body.status === "cancelled")
          throw new Error(`run ${runId} ${body.status}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    // Warm up: first requests load handlers and bundles.
    for (let i = 0; i < 10; i++) await waitCompleted((await post()).runId);

    const endToEnd: number[] = [];
    const serverSide: number[] = [];
    const timedRuns: string[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      const { runId } = await post();
      serverSide.push(await waitCompleted(runId));
      endToEnd.push(performance.now() - started);
      timedRuns.push(runId);
    }
    const boundaries = await stepBoundaries(host, timedRuns);

    const sequential: number[] = [];
    for (let i = 0; i < 50; i++) sequential.push((await post()).ms);

    await new Promise((resolve) => setTimeout(resolve, 2000)); // let the sequential runs drain
    const concurrent = (await Promise.all(Array.from({ length: 50 }, post))).map((r) => r.ms);

    return [
      {
        name: "balance command POST → completed p50",
        value: round(percentile(endToEnd, 50)),
        unit: "ms",
        target: "≤ 100 ms",
      },
      {
        name: "balance run accepted → completed p50 (run timings)",
        value: round(percentile(serverSide, 50)),
        unit: "ms",
      },
      {
        name: "balance command POST → completed p95",
        value: round(percentile(endToEnd, 95)),
        unit: "ms",
      },
      {
        name: "parse → plan step boundary p50 (was one folded step)",
        value: round(percentile(boundaries.parseToPlan, 50)),
        unit: "ms",
      },
      {
        name: "parse → plan step boundary p95",
        value: round(percentile(boundaries.parseToPlan, 95)),
        unit: "ms",
      },
      {
        name: "plan → balance step boundary p50 (for comparison)",
        value: round(percentile(boundaries.planToAction, 50)),
        unit: "ms",
      },
      {
        name: "POST → 202 p50 (1 at a time)",
        value: round(percentile(sequential, 50)),
        unit: "ms",
      },
      {
        name: "POST → 202 p95 (1 at a time)",
        value: round(percentile(sequential, 95)),
        unit: "ms",
      },
      {
        name: "POST → 202 p50 (50 concurrent)",
        value: round(percentile(concurrent, 50)),
        unit: "ms",
      },
      {
        name: "POST → 202 p95 (50 concurrent)",
        value: round(percentile(concurrent, 95)),
        unit: "ms",
        target: "≤ 20 ms",
      },
    ];
  } finally {
    await host.stop().catch(() => {});
    await disposeHostData(host.dataDir);
  }
}

/**
 * Gaps between consecutive steps of the given runs, from the host's local world (what `workflow
 * inspect steps` shows): the time from one step's completion to the next step's start is the
 * queue hop and workflow replay a step boundary costs.
 */
async function stepBoundaries(
  host: HostProcess,
  runIds: string[],
): Promise<{ parseToPlan: number[]; planToAction: number[] }> {
  process.env.WORKFLOW_LOCAL_DATA_DIR = host.env.WORKFLOW_LOCAL_DATA_DIR;
  const world = getWorld();
  const parseToPlan: number[] = [];
  const planToAction: number[] = [];
  for (const runId of runIds) {
    const { body } = await host.request("GET", `/api/runs/${runId}`);
    const { data } = await world.steps.list({ runId: body.workflowRunId, resolveData: "none" });
    const byName = new Map(data.map((step) => [step.stepName.split("//").at(-1)!, step]));
    const gap = (from: string, to: string) => {
      const done = byName.get(from)?.completedAt;
      const next = byName.get(to)?.startedAt;
      return done && next ? new Date(next).getTime() - new Date(done).getTime() : undefined;
    };
    const first = gap("parse", "plan");
    const second = gap("plan", "balance");
    if (first !== undefined) parseToPlan.push(first);
    if (second !== undefined) planToAction.push(second);
  }
  return { parseToPlan, planToAction };
}
