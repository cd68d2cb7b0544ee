import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BenchRow } from "./stats.js";

/**
 * `npm run bench [name…]`: runs every benchmark module under bench/ (each exports run() returning
 * rows) one after another, so they do not compete for the two cores, and prints one table.
 */
async function main(): Promise<void> {
  const dir = import.meta.dirname;
  // Names select benchmarks; --flags are the benchmarks' own options.
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
  const available = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !["run.ts", "stats.ts"].includes(f))
    .map((f) => f.replace(/\.ts$/, ""))
    .sort();
  const unknown = only.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    // An empty table with exit 0 read as "nothing to measure" (issue 20): name what exists.
    process.stderr.write(
      `Unknown benchmark${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}\n` +
        `Benchmarks: ${available.join(", ")}\nusage: npm run bench [name…] [--option=value…]\n`,
    );
    process.exit(2);
  }
  const files = available
    .filter((name) => only.length === 0 || only.includes(name))
    .map((name) => `${name}.ts`);
  const rows: (BenchRow & { bench: string })[] = [];
  for (const file of files) {
    const bench = file.replace(/\.ts$/, "");
    process.stdout.write(`running ${bench}…\n`);
    const module = (await import(pathToFileURL(path.join(dir, file)).href)) as {
      run?: () => Promise<BenchRow[]>;
      explicitOnly?: boolean;
    };
    if (typeof module.run !== "function") continue;
    // Long benchmarks (memory, history) run only when named.
    if (module.explicitOnly && !only.includes(bench)) continue;
    try {
      for (const row of await module.run()) rows.push({ ...row, bench });
    } catch (error) {
      process.stdout.write(
        `  ${bench} failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  process.stdout.write(
    `\n${"bench".padEnd(10)} ${"figure".padEnd(width)} ${"value".padStart(12)}  unit   target\n`,
  );
  for (const row of rows) {
    process.stdout.write(
      `${row.bench.padEnd(10)} ${row.name.padEnd(width)} ${String(row.value).padStart(12)}  ${row.unit.padEnd(6)} ${row.target ?? ""}\n`,
    );
  }
  process.exit(0);
}

void main();
