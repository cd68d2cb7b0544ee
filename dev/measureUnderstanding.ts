import { isDeepStrictEqual } from "node:util";
import { disposeHostData, type HostProcess, startHostProcess } from "../tests/helpers/host.js";
import { extractRelease } from "../tests/helpers/previousRelease.js";
import { type PhrasingCase, phrasings } from "../tests/lib/agent/phrasings.js";

/**
 * The understanding rate measured through the API, as issue 19 measured it: every phrasing of
 * tests/lib/agent/phrasings.ts is POSTed to a local host's /api/agent/execute (no language model
 * configured, so the grammar alone answers). A phrasing counts as understood when
 * - it expects steps, the host answers 202, and the run's parsed intent equals those steps;
 * - it expects a refusal, and the host answers 422 (with the expected words in the message).
 * Accepted runs ask approval for every spend (approvalThreshold "0") and are cancelled once
 * parsed, so nothing moves. Phrasings naming a token the devnet does not list (USDT) are left out.
 *
 * Usage: npx tsx dev/measureUnderstanding.ts [commit]  (a commit: that release's host, built from
 * git history; none: this tree's host).
 */

const devnetMissing = /\busdt\b/i;
const batch = 10;

interface Outcome {
  text: string;
  expected: "accept" | "refuse";
  got: "accept" | "refuse" | "other";
  exact: boolean;
  detail: string;
}

async function intentOf(host: HostProcess, runId: string): Promise<unknown> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { body } = await host.request("GET", `/api/runs/${runId}`);
    if (body?.intent) return body.intent;
    if (body && ["failed", "cancelled", "completed"].includes(body.status)) return body.error;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

async function measure(host: HostProcess, cases: PhrasingCase[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < cases.length; i += batch) {
    const slice = cases.slice(i, i + batch);
    const posted = await Promise.all(
      slice.map(async (entry) => ({
        entry,
        response: await host.request("POST", "/api/agent/execute", {
          command: entry.text,
          approvalThreshold: "0",
        }),
      })),
    );
    for (const { entry, response } of posted) {
      const expected = entry.error ? "refuse" : "accept";
      if (response.status === 422) {
        const message = String(response.body?.error?.message ?? response.body?.message ?? "");
        const words = entry.error?.message;
        outcomes.push({
          text: entry.text,
          expected,
          got: "refuse",
          exact: expected === "refuse" && (!words || message.includes(words)),
          detail: message.split("\n")[0]!,
        });
        continue;
      }
      if (response.status !== 202) {
        outcomes.push({
          text: entry.text,
          expected,
          got: "other",
          exact: false,
          detail: `${response.status} ${JSON.stringify(response.body).slice(0, 200)}`,
        });
        continue;
      }
      const runId = response.body.runId as string;
      const intent = await intentOf(host, runId);
      await host.request("POST", `/api/runs/${runId}/cancel`, {});
      const want = { steps: entry.steps, ...(entry.budget ? { budget: entry.budget } : {}) };
      outcomes.push({
        text: entry.text,
        expected,
        got: "accept",
        exact: expected === "accept" && isDeepStrictEqual(intent, want),
        detail: JSON.stringify(intent).slice(0, 300),
      });
    }
  }
  return outcomes;
}

async function main(): Promise<void> {
  const commit = process.argv[2];
  const release = commit ? extractRelease(commit) : undefined;
  const host = await startHostProcess({
    database: "postgres",
    env: { RATE_LIMIT_PER_MINUTE: "100000", LOG_LEVEL: "error" },
    ...(release ? { root: release.root } : {}),
  });
  try {
    const cases = phrasings.filter((entry) => !devnetMissing.test(entry.text));
    const outcomes = await measure(host, cases);
    const right = outcomes.filter((o) => o.exact).length;
    const coarse = outcomes.filter((o) => o.got === o.expected).length;
    const byExpected = (kind: "accept" | "refuse") => outcomes.filter((o) => o.expected === kind);
    const report = {
      host: commit ?? "this tree",
      phrasings: outcomes.length,
      leftOut: phrasings.length - cases.length,
      understoodExactly: right,
      rate: Number((right / outcomes.length).toFixed(4)),
      acceptRefuseAsExpected: coarse,
      expectedAccept: byExpected("accept").length,
      accepted: byExpected("accept").filter((o) => o.got === "accept").length,
      expectedRefuse: byExpected("refuse").length,
      refused: byExpected("refuse").filter((o) => o.got === "refuse").length,
      misses: outcomes
        .filter((o) => !o.exact)
        .map((o) => `${o.expected}→${o.got}: ${o.text} :: ${o.detail}`),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await host.stop().catch(() => {});
    await disposeHostData(host.dataDir);
    release?.dispose();
  }
}

void main();
