import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { numberOption, startBenchHost } from "./lib/backings.js";
import { RunClient } from "./lib/runClient.js";
import type { BenchRow } from "./stats.js";

/**
 * SQL statements per balance command, by phase: each statement is a round trip on the run's path
 * (on the embedded default, a hop to the PGlite worker), so this count is what the lone-run and
 * burst figures of `bench runs` are made of. The host logs every statement (DB_QUERY_LOG) and
 * background checks are paused, so only the run's own statements are counted; a COMMIT is a round
 * trip too, a BEGIN is not (the worker gets it with the transaction's first statement).
 * `--runs=N` (default 5) sequential commands after a warm-up; the median of each phase is printed.
 */
export async function run(): Promise<BenchRow[]> {
  const runs = numberOption("runs", 5);
  const dir = mkdtempSync(path.join(tmpdir(), "paygent-queries-"));
  const logFile = path.join(dir, "queries.log");
  const { host, dispose } = await startBenchHost("embedded", {
    DB_QUERY_LOG: logFile,
    DEV_WATCH_INTERVAL_MS: "3600000",
  });
  try {
    const client = new RunClient(host, 3);
    for (let i = 0; i < 2; i++) await client.waitAll([await client.accept("balance")], 20);
    const phases = new Map<string, number[]>();
    const add = (phase: string, count: number) =>
      phases.set(phase, [...(phases.get(phase) ?? []), count]);
    for (let i = 0; i < runs; i++) {
      writeFileSync(logFile, "");
      const accepted = await client.accept("balance");
      const acceptedAt = accepted.postedAt + accepted.acceptMs;
      await client.waitAll([accepted], 20);
      const steps = await client.workflowStepTimes(accepted);
      // Read after the steps are fetched: the bench routes' own statements are dropped below.
      const statements = readFileSync(logFile, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => ({
          at: Number(line.split(" ")[0]),
          sql: line.split(" ").slice(2).join(" "),
        }))
        .filter(
          ({ sql }) => !sql.startsWith('select "id", "status", "workflow_run_id", "finished_at"'),
        );
      const counts = new Map<string, number>();
      const bump = (phase: string) => counts.set(phase, (counts.get(phase) ?? 0) + 1);
      let begins = 0;
      for (const statement of statements) {
        // The PGlite worker gets a BEGIN with its transaction's first statement: no round trip.
        if (/^begin$/i.test(statement.sql)) {
          begins++;
          continue;
        }
        if (/^(commit|rollback)$/i.test(statement.sql)) bump("of which COMMIT/ROLLBACK");
        if (statement.at <= acceptedAt) {
          bump("accept (POST → 202)");
          continue;
        }
        const step = steps.find(
          (s) =>
            s.startedAt &&
            s.completedAt &&
            statement.at >= Date.parse(s.startedAt) &&
            statement.at <= Date.parse(s.completedAt),
        );
        bump(step ? `step ${step.name.split("//").pop()}` : "between steps / finishing");
      }
      // Every other statement is a round trip, COMMIT included.
      counts.set("transactions (BEGIN sent with their first statement)", begins);
      counts.set("total round trips", statements.length - begins);
      for (const [phase, count] of counts) add(phase, count);
    }
    const rows: BenchRow[] = [];
    process.stdout.write("  statements per balance command (median):\n");
    for (const [phase, counts] of phases) {
      const median = [...counts].sort((a, b) => a - b)[Math.floor(counts.length / 2)]!;
      process.stdout.write(`    ${phase.padEnd(30)} ${median}\n`);
      rows.push({ name: `statements: ${phase}`, value: median, unit: "" });
    }
    return rows;
  } finally {
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
