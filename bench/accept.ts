import { backingLabel, numberOption, selectedBackings, startBenchHost } from "./lib/backings.js";
import { burst, RunClient } from "./lib/runClient.js";
import { type BenchRow, percentile, round } from "./stats.js";

/**
 * One setting's effect on the accept, A/B: two hosts on the same backing, the second with a
 * modifier (`--modifier=keyread`, the default: every accept reads its key, no key controls
 * cache), take bursts of 50 concurrent balance commands in turn, alternating which goes first.
 * Both hosts stay up, so each burst meets the same machine; a burst's POST → 202 p95 is one
 * sample, and the medians over `--rounds=8` are compared. `bench runs` measures each backing
 * against its floor in one invocation per backing; on this machine its pooled p95 moves more
 * between invocations than a ~20 ms change, which alternating bursts can still see.
 * `--backings=embedded,postgres` (the default here: both).
 */
export const explicitOnly = true;

export async function run(): Promise<BenchRow[]> {
  const modifier = process.argv.find((a) => a.startsWith("--modifier="))?.slice(11) ?? "keyread";
  const rounds = numberOption("rounds", 8);
  const concurrency = numberOption("concurrency", 50);
  const backings = selectedBackings("embedded,postgres");
  const rows: BenchRow[] = [];
  const lines: string[] = [];
  for (const backing of backings) {
    const variants = [backing, `${backing}+${modifier}`];
    process.stdout.write(`  ${variants.map(backingLabel).join(" / ")}…\n`);
    const hosts = [await startBenchHost(variants[0]!)];
    try {
      hosts.push(await startBenchHost(variants[1]!));
      const clients = hosts.map((h) => new RunClient(h.host, 3));
      for (const client of clients) {
        // Warm up: handlers, bundles, JIT, and (for the default) the key's cached read.
        const warm = await client.accept("balance");
        await client.waitAll([warm], 20);
        await burst(client, "balance", concurrency);
      }
      const p95: number[][] = [[], []];
      const p50: number[][] = [[], []];
      const rates: number[][] = [[], []];
      for (let round = 0; round < rounds; round++) {
        for (const i of round % 2 ? [1, 0] : [0, 1]) {
          const result = await burst(clients[i]!, "balance", concurrency);
          p95[i]!.push(percentile(result.acceptMs, 95));
          p50[i]!.push(percentile(result.acceptMs, 50));
          rates[i]!.push(result.runsPerSecond);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      const median = (values: number[]) => percentile(values, 50);
      lines.push(
        `${backingLabel(backing)}: ${concurrency} concurrent balance accepts, ${rounds} rounds each, alternating`,
        ...variants.map(
          (_variant, i) =>
            `  ${(i === 0 ? "default" : `+${modifier}`).padEnd(12)} POST → 202 p95 median ${round(median(p95[i]!))} ms, p50 median ${round(median(p50[i]!))} ms, runs/s median ${round(median(rates[i]!))}; p95 per round ${p95[i]!.map((v) => Math.round(v)).join(" ")}`,
        ),
        `  default / +${modifier}: p95 ${round(median(p95[0]!) / median(p95[1]!))}×, p50 ${round(median(p50[0]!) / median(p50[1]!))}×`,
      );
      const prefix = backing === "embedded" ? "" : `${backing}: `;
      rows.push(
        {
          name: `${prefix}accept p95 (median of rounds), default`,
          value: round(median(p95[0]!)),
          unit: "ms",
        },
        {
          name: `${prefix}accept p95 (median of rounds), +${modifier}`,
          value: round(median(p95[1]!)),
          unit: "ms",
        },
      );
    } finally {
      for (const host of hosts) await host.dispose();
    }
  }
  process.stdout.write(`\n${lines.join("\n")}\n`);
  return rows;
}
