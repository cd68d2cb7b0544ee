import { numberOption, startBenchHost } from "./lib/backings.js";
import { burst, load, loneRun, RunClient } from "./lib/runClient.js";
import { type BenchRow, round } from "./stats.js";

/** Opt-in (`npm run bench memory`): thousands of runs take minutes. */
export const explicitOnly = true;

const mb = (bytes: number) => round(bytes / 1024 / 1024);

/**
 * Memory over many runs on the embedded default: `--runs=N` (2,000) balance commands in bursts of
 * 50, the host's resident set and heap (after a full GC) sampled every 250 runs, and the warnings
 * the host printed (MaxListenersExceededWarning). Measured with the local queue delivering over
 * loopback HTTP (as before) and in-process (DEV_LOCAL_QUEUE_DIRECT, the default); `--modes=` picks.
 */
export async function run(): Promise<BenchRow[]> {
  const total = numberOption("runs", 2000);
  const modes = (
    process.argv.find((arg) => arg.startsWith("--modes="))?.slice(8) ?? "http,direct"
  ).split(",");
  const rows: BenchRow[] = [];
  const lines: string[] = [];
  for (const mode of modes) {
    const { host, dispose } = await startBenchHost(
      "embedded",
      { DEV_LOCAL_QUEUE_DIRECT: mode === "direct" ? "true" : "false" },
      { nodeArgs: ["--expose-gc"] },
    );
    try {
      const client = new RunClient(host, 2);
      for (let i = 0; i < 5; i++) await loneRun(client, "balance");
      const loadBefore = load();
      const samples: { runs: number; rss: number; heap: number }[] = [];
      const sample = async (runs: number) => {
        const stats = await client.stats(true);
        samples.push({ runs, rss: mb(stats.rssBytes), heap: mb(stats.heapUsedBytes) });
        // Progress as it comes: a long run cut short still leaves its samples.
        process.stdout.write(
          `    ${mode}: ${runs} runs, RSS ${mb(stats.rssBytes)} MB, heap ${mb(stats.heapUsedBytes)} MB, load ${load()}\n`,
        );
      };
      await sample(0);
      const started = Date.now();
      for (let done = 0; done < total; ) {
        const size = Math.min(50, total - done);
        await burst(client, "balance", size);
        done += size;
        if (done % 250 === 0 || done === total) await sample(done);
      }
      const seconds = (Date.now() - started) / 1000;
      const warnings = host.output().match(/MaxListenersExceededWarning[^\n]*/g) ?? [];
      const first = samples[0]!;
      const last = samples.at(-1)!;
      const report = [
        `local queue ${mode === "direct" ? "in-process" : "over HTTP"}: ${total} balance runs in ${round(seconds)} s, load average ${loadBefore} → ${load()}`,
        `  runs:      ${samples.map((s) => String(s.runs).padStart(9)).join("")}`,
        `  RSS MB:    ${samples.map((s) => String(s.rss).padStart(9)).join("")}`,
        `  heap MB:   ${samples.map((s) => String(s.heap).padStart(9)).join("")}   (after a full GC)`,
        `  MaxListenersExceededWarning: ${warnings.length ? warnings.join(" | ") : "none"}`,
      ];
      process.stdout.write(`${report.join("\n")}\n`);
      lines.push(...report);
      rows.push(
        {
          name: `${mode}: RSS growth over ${total} runs`,
          value: round(last.rss - first.rss),
          unit: "MB",
        },
        {
          name: `${mode}: heap growth over ${total} runs (after GC)`,
          value: round(last.heap - first.heap),
          unit: "MB",
          target: "flat",
        },
        {
          name: `${mode}: MaxListenersExceededWarning`,
          value: warnings.length,
          unit: "",
          target: "0",
        },
      );
    } finally {
      await dispose();
    }
  }
  process.stdout.write(`\n${lines.join("\n")}\n`);
  return rows;
}
