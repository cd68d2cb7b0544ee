import { performance } from "node:perf_hooks";
import { parseCommand } from "../lib/agent/grammar/parseCommand.js";
import { CORPUS_MEMORY, corpus } from "../tests/lib/agent/corpus.js";
import { tokens } from "../tests/lib/agent/fixtures.js";
import type { BenchRow } from "./stats.js";

/** Parses `texts` round-robin for about `ms` milliseconds; returns commands per second. */
function throughput(texts: ReadonlyArray<{ text: string; memory?: true }>, ms: number): number {
  let count = 0;
  const started = performance.now();
  let now = started;
  while (now - started < ms) {
    // Check the clock every 1,000 commands so timing does not dominate.
    for (let i = 0; i < 1000; i++) {
      const entry = texts[count % texts.length]!;
      try {
        parseCommand(entry.text, { tokens, memory: entry.memory ? CORPUS_MEMORY : undefined });
      } catch {
        // Refusals are part of the mix: they cost the same grammar work.
      }
      count++;
    }
    now = performance.now();
  }
  return Math.round((count * 1000) / (now - started));
}

/**
 * Deterministic grammar throughput on the test corpus (≥ 200 phrasings: single steps, sequences
 * with budgets and clauses, typos, memory references and refusals), single-threaded.
 */
export async function run(): Promise<BenchRow[]> {
  const understood = corpus.filter((c) => !c.error && c.text.length < 400);
  const all = corpus.filter((c) => c.text.length < 400);
  const sequences = understood.filter((c) => (c.steps?.length ?? 0) > 1);
  throughput(all, 300); // warm-up (JIT, caches)
  return [
    {
      name: "parse, whole corpus (incl. refusals)",
      value: throughput(all, 1500),
      unit: "cmd/s",
      target: "≥ 50000",
    },
    {
      name: "parse, understood commands",
      value: throughput(understood, 1000),
      unit: "cmd/s",
      target: "≥ 50000",
    },
    { name: "parse, multi-step sequences", value: throughput(sequences, 1000), unit: "cmd/s" },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await run())
    console.log(`${row.name}: ${row.value} ${row.unit} ${row.target ?? ""}`);
}
