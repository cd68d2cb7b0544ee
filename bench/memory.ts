import { numberOption, startBenchHost } from "./lib/backings.js";
import { burst, load, loneRun, RunClient } from "./lib/runClient.js";
import { type BenchRow, round } from "./stats.js";

/** Opt-in (`npm run bench memory`): thousands of runs take minutes. */
export const explicitOnly = true;

const mb = (bytes: number) => round(bytes / 1024 / 1024);

const modeLabels: Record<string, string> = {
  http: "local queue over HTTP",
  direct: "local queue in-process",
  inline: "local queue in-process, PGlite on the main thread",
};

/**
 * Memory over many runs on the embedded default: `--runs=N` (2,000) balance commands in bursts of
 * 50, the host's resident set and heap (after a full GC) sampled every 250 runs, and the warnings
 * the host printed (MaxListenersExceededWarning). Modes (`--modes=`, default http,direct): the
 * local queue over loopback HTTP, in-process (DEV_LOCAL_QUEUE_DIRECT, the default), and `inline`
 * (in-process with PGLITE_WORKER=false: the embedded database's WASM memory is then an ArrayBuffer
 * of this process, so the `external` column shows how much of the resident set it holds).
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
      {
        DEV_LOCAL_QUEUE_DIRECT: mode === "http" ? "false" : "true",
        ...(mode === "inline" ? { PGLITE_WORKER: "false" } : {}),
      },
      { nodeArgs: ["--expose-gc"] },
    );
    try {
      const client = new RunClient(host, 2);
      for (let i = 0; i < 5; i++) await loneRun(client, "balance");
      const loadBefore = load();
      const samples: { runs: number; rss: number; heap: number; external: number }[] = [];
      const sample = async (runs: number) => {
        const stats = await client.stats(true);
        samples.push({
          runs,
          rss: mb(stats.rssBytes),
          heap: mb(stats.heapUsedBytes),
          external: mb(stats.externalBytes),
        });
        // Progress as it comes: a long run cut short still leaves its samples.
        process.stdout.write(
          `    ${mode}: ${runs} runs, RSS ${mb(stats.rssBytes)} MB, heap ${mb(stats.heapUsedBytes)} MB, external ${mb(stats.externalBytes)} MB, load ${load()}\n`,
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
        `${modeLabels[mode] ?? mode}: ${total} balance runs in ${round(seconds)} s, load average ${loadBefore} → ${load()}`,
        `  runs:      ${samples.map((s) => String(s.runs).padStart(9)).join("")}`,
        `  RSS MB:    ${samples.map((s) => String(s.rss).padStart(9)).join("")}`,
        `  heap MB:   ${samples.map((s) => String(s.heap).padStart(9)).join("")}   (after a full GC)`,
        `  extern MB: ${samples.map((s) => String(s.external).padStart(9)).join("")}   (ArrayBuffers, WASM)`,
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
