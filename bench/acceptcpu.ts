import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  backingLabel,
  disposeData,
  numberOption,
  prepareBacking,
  selectedBackings,
} from "./lib/backings.js";
import { type BenchRow, round } from "./stats.js";

/**
 * Issue 17's accept, taken apart from HTTP and the workflow start: Paygent's accept handler and
 * the outbox floor's accept called in one process (bench/lib/acceptInProcessChild.ts), on each
 * backing's database and cache. Prints the main-thread CPU of one accept, and bursts of 50
 * concurrent accepts (their main-thread CPU and answer p95), medians of `--rounds=30` bursts a
 * side. These figures hold still between invocations far better than `bench runs`' (the HTTP
 * server's share is the same on both sides and left out), so a change to the accept shows here
 * first. `--backings=postgres,embedded` (the default).
 */
export const explicitOnly = true;

interface ChildResult {
  cpuPerAccept: { paygent: number; floor: number };
  burstCpu: { paygent: number; floor: number };
  burstP95: { paygent: number; floor: number };
  burstP95Ratio: number;
}

export async function run(): Promise<BenchRow[]> {
  const rounds = numberOption("rounds", 30);
  const rows: BenchRow[] = [];
  const lines: string[] = [];
  for (const backing of selectedBackings("postgres,embedded")) {
    process.stdout.write(`  ${backingLabel(backing)}…\n`);
    const data = await prepareBacking(backing);
    const dataDir = mkdtempSync(path.join(tmpdir(), "paygent-acceptcpu-"));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", path.join(import.meta.dirname, "lib", "acceptInProcessChild.ts")],
        {
          env: {
            ...process.env,
            BENCH_ACCEPT_ROUNDS: String(rounds),
            BENCH_ACCEPT_ENV: JSON.stringify({
              PGLITE_DATA_DIR: path.join(dataDir, "pglite"),
              WORKFLOW_LOCAL_DATA_DIR: path.join(dataDir, "workflow"),
              ...data.env,
            }),
          },
          maxBuffer: 1 << 20,
          timeout: 600_000,
        },
      );
      const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as ChildResult;
      const ratio = (pair: { paygent: number; floor: number }) => round(pair.paygent / pair.floor);
      lines.push(
        `${backingLabel(backing)}: accepts in process, no HTTP (Paygent / floor)`,
        `  main-thread CPU of one accept, median: ${round(result.cpuPerAccept.paygent)} / ${round(result.cpuPerAccept.floor)} ms (${ratio(result.cpuPerAccept)}×)`,
        `  burst of 50, main-thread CPU, median of ${rounds}: ${round(result.burstCpu.paygent)} / ${round(result.burstCpu.floor)} ms (${ratio(result.burstCpu)}×)`,
        `  burst of 50, answer p95, median of ${rounds}: ${round(result.burstP95.paygent)} / ${round(result.burstP95.floor)} ms (${ratio(result.burstP95)}×; median of the rounds' ratios ${round(result.burstP95Ratio)}×)`,
      );
      const prefix = backing === "embedded" ? "" : `${backing}: `;
      rows.push(
        {
          name: `${prefix}main-thread CPU per accept, Paygent`,
          value: round(result.cpuPerAccept.paygent),
          unit: "ms",
        },
        {
          name: `${prefix}main-thread CPU per accept, floor`,
          value: round(result.cpuPerAccept.floor),
          unit: "ms",
        },
        {
          name: `${prefix}in-process burst p95 / floor's`,
          value: round(result.burstP95Ratio),
          unit: "×",
          target: "≤ 1.3× (issue 17's accept goal, without HTTP)",
        },
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await disposeData(data);
    }
  }
  process.stdout.write(`\n${lines.join("\n")}\n`);
  return rows;
}
