import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getWorld } from "workflow/runtime";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * The agentCommand workflow through a real host process (Postgres, local world, anvil devnet):
 * the Workflow DevKit's own step records name what happened, a model provider that keeps
 * answering 503 is retried and then fails the run with its tokens recorded, and a step whose
 * dependency stays down fails its workflow after the retries, after which the reconciler
 * finishes the run row and gives its budget reservation back.
 */

/**
 * A stand-in for the OpenAI Responses API (the host reaches it through OPENAI_BASE_URL) and a paid
 * resource that is down. `script` lists the statuses of the next model calls; 200 after that.
 */
const provider = { calls: 0, resourceCalls: 0, script: [] as number[] };
const answer = {
  supported: true,
  reason: null,
  steps: [{ kind: "balance", tokens: ["USDC"], address: null }],
  budget: null,
};
let server: Server;
let host: HostProcess;
let database: pg.Client;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      if (request.url?.startsWith("/flaky")) {
        provider.resourceCalls++;
        response.writeHead(503, { "content-type": "text/plain" }).end("down for maintenance");
        return;
      }
      provider.calls++;
      const status = provider.script.shift() ?? 200;
      if (status !== 200) {
        // retry-after-ms keeps the SDK's own retry short; the step's retries still apply.
        response
          .writeHead(status, { "content-type": "application/json", "retry-after-ms": "10" })
          .end(JSON.stringify({ error: { message: "overloaded", type: "server_error" } }));
        return;
      }
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: `resp_${provider.calls}`,
          object: "response",
          created_at: Math.floor(Date.now() / 1000),
          status: "completed",
          model: "gpt-4o-mini",
          output: [
            {
              type: "message",
              id: `msg_${provider.calls}`,
              status: "completed",
              role: "assistant",
              content: [{ type: "output_text", text: JSON.stringify(answer), annotations: [] }],
            },
          ],
          usage: {
            input_tokens: 120,
            output_tokens: 45,
            total_tokens: 165,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens_details: { reasoning_tokens: 0 },
          },
          incomplete_details: null,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  host = await startHostProcess({
    database: "postgres",
    env: {
      RATE_LIMIT_PER_MINUTE: "100000",
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
      AI_MODEL: "openai/gpt-4o-mini",
    },
  });
  database = new pg.Client({ connectionString: host.env.DATABASE_URL });
  await database.connect();
  // Read the host's workflow data the way `workflow inspect` does: through the local world.
  process.env.WORKFLOW_LOCAL_DATA_DIR = host.env.WORKFLOW_LOCAL_DATA_DIR;
}, 240_000);

afterAll(async () => {
  await database?.end().catch(() => {});
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
  await new Promise((resolve) => server?.close(resolve));
});

/** The step names the Workflow DevKit recorded for a run, in the order the steps were created. */
async function stepNames(workflowRunId: string): Promise<string[]> {
  const { data } = await getWorld().steps.list({ runId: workflowRunId, resolveData: "none" });
  return [...data]
    .sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime())
    .map((step) => step.stepName.split("//").at(-1)!);
}

describe("behavior: the workflow's steps are named after what they do", () => {
  it("swap then pay reads parse, plan, (balance check,) swap, pay in the DevKit's own step records", async () => {
    const callsBefore = provider.calls;
    // 2 CRO, not 1: at the devnet's 0.10 USDC per CRO, 1 CRO yields less than the 0.10 USDC the
    // payment needs after slippage, and the planner refuses such a plan before anything runs.
    const accepted = await execute(host, {
      command: "swap 2 CRO for USDC then pay 0.10 USDC to the market data API",
    });
    const run = await waitForRun(host, accepted.runId);
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    expect(run.workflowRunId).toMatch(/^wrun_/);
    expect(await stepNames(run.workflowRunId)).toEqual(["parse", "plan", "balance", "swap", "pay"]);
    // Results read in human units.
    const lines = run.result.actions.map((a: { summary: string }) => a.summary);
    expect(lines[1]).toMatch(/^Swapped 2 CRO → 0\.19 USDC$/);
    expect(lines[2]).toBe("Paid 0.10 USDC to Market Data API");
    // The grammar understood it: the model was never asked.
    expect(provider.calls).toBe(callsBefore);
  });
});

describe("error: a model provider answering 503", () => {
  it("is retried, then fails the run with a clear reason and every call's tokens recorded", async () => {
    provider.script = Array(50).fill(503);
    const callsBefore = provider.calls;
    const accepted = await execute(host, { command: "yo, could you peek at my usdc stash" });
    const run = await waitForRun(
      host,
      accepted.runId,
      ["completed", "failed", "cancelled"],
      90_000,
    );
    provider.script = [];
    expect(run.status).toBe("failed");
    expect(run.error.code).toBe("workflow_ended");
    expect(run.error.message).toMatch(/language model is unavailable \(HTTP 503\)/);
    // Four step attempts (the default three retries), each with the SDK's own retry: 8 calls.
    const calls = provider.calls - callsBefore;
    expect(calls).toBe(8);
    const modelItems = run.cost.items.filter((i: { kind: string }) => i.kind === "model");
    expect(modelItems).toHaveLength(4);
    for (const item of modelItems) {
      expect(item).toMatchObject({ unit: "tokens", amount: "0" });
      expect(item.detail).toMatch(/0 input \+ 0 output tokens \(failed: .*HTTP 503/);
    }
    expect(run.cost.totals.model_tokens).toBe("0");
    expect(await stepNames(run.workflowRunId)).toEqual(["parse"]);
  });

  it("recovers when a retry gets an answer: the run completes and the answer's tokens count once", async () => {
    provider.script = [503, 503];
    const callsBefore = provider.calls;
    const accepted = await execute(host, { command: "yo, could you peek at my usdc stash" });
    const run = await waitForRun(
      host,
      accepted.runId,
      ["completed", "failed", "cancelled"],
      60_000,
    );
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    expect(provider.calls - callsBefore).toBe(3);
    expect(run.intent.steps).toEqual([{ kind: "balance", tokens: ["USDC"] }]);
    const modelItems = run.cost.items.filter((i: { kind: string }) => i.kind === "model");
    expect(modelItems.map((i: { amount: string }) => i.amount)).toEqual(["0", "165"]);
    expect(run.cost.totals.model_tokens).toBe("165");
    expect(await stepNames(run.workflowRunId)).toEqual(["parse", "plan", "balance"]);
  });
});

describe("error: a workflow that fails after its retries", () => {
  it("ends the run row failed with the reason, and its reservation is released", async () => {
    const { port } = server.address() as AddressInfo;
    const resourceCallsBefore = provider.resourceCalls;
    const accepted = await execute(host, {
      command: `pay up to 0.5 USDC to http://127.0.0.1:${port}/flaky`,
    });
    const run = await waitForRun(
      host,
      accepted.runId,
      ["completed", "failed", "cancelled"],
      90_000,
    );
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "workflow_ended", step: 1 });
    expect(run.error.message).toMatch(/its workflow failed: .*503/);
    // Every attempt asked the resource (the first plus three retries); none got to a payment.
    expect(provider.resourceCalls - resourceCallsBefore).toBe(4);
    const steps = run.steps.map((s: { action: string; status: string }) => [s.action, s.status]);
    expect(steps).toEqual([
      ["balance", "completed"],
      ["pay", "failed"],
    ]);
    const ledger = await database.query(
      "select status, amount, token from spend_ledger where run_id = $1",
      [accepted.runId],
    );
    expect(ledger.rows).toEqual([{ status: "released", amount: "500000", token: "USDC" }]);
    const payments = await database.query("select id from payments where run_id = $1", [
      accepted.runId,
    ]);
    expect(payments.rows).toEqual([]);
    expect(await stepNames(run.workflowRunId)).toEqual(["parse", "plan", "balance", "pay"]);
  });
});
