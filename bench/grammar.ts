import { performance } from "node:perf_hooks";
import { parseCommand } from "../lib/agent/grammar/parseCommand.js";
import { CORPUS_MEMORY, corpus } from "../tests/lib/agent/corpus.js";
import { tokens } from "../tests/lib/agent/fixtures.js";
import { phrasings } from "../tests/lib/agent/phrasings.js";
import type { BenchRow } from "./stats.js";

/**
 * Parses `texts` round-robin until this process has spent about `ms` milliseconds of CPU. Returns
 * commands per wall-clock second and per CPU second of this process: on a shared, overloaded
 * machine the wall figure mostly measures the neighbours, the CPU figure the grammar. Counting CPU
 * rather than wall time keeps the sample the same size however busy the machine is.
 */
function throughput(
  texts: ReadonlyArray<{ text: string; memory?: true }>,
  ms: number,
): { wall: number; cpu: number } {
  let count = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let cpuMicros = 0;
  while (cpuMicros < ms * 1000) {
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
    const cpu = process.cpuUsage(cpuStarted);
    cpuMicros = cpu.user + cpu.system;
  }
  const wall = performance.now() - started;
  return {
    wall: Math.round((count * 1000) / wall),
    cpu: Math.round((count * 1_000_000) / cpuMicros),
  };
}

/**
 * Deterministic grammar throughput on the test corpus (≥ 200 phrasings: single steps, sequences
 * with budgets and clauses, typos, memory references and refusals) and on the phrasing set
 * (tests/lib/agent/phrasings.ts: forms people write, prediction markets, money refusals),
 * single-threaded.
 */
export async function run(): Promise<BenchRow[]> {
  const understood = corpus.filter((c) => !c.error && c.text.length < 400);
  const all = corpus.filter((c) => c.text.length < 400);
  const sequences = understood.filter((c) => (c.steps?.length ?? 0) > 1);
  // Warm-up (JIT, caches): 600 ms of CPU, however long a busy machine takes to give it.
  const everything = [...all, ...phrasings];
  for (let i = 0; i < 3; i++) throughput(everything, 200);
  const mixed = throughput(all, 1500);
  const ok = throughput(understood, 1000);
  const multi = throughput(sequences, 1000);
  const people = throughput(phrasings, 1000);
  const goal = "≥ 50000";
  return [
    {
      name: "parse, whole corpus (incl. refusals)",
      value: mixed.wall,
      unit: "cmd/s",
      target: goal,
    },
    { name: "parse, whole corpus, per CPU-second", value: mixed.cpu, unit: "cmd/s", target: goal },
    { name: "parse, understood commands", value: ok.wall, unit: "cmd/s", target: goal },
    { name: "parse, understood, per CPU-second", value: ok.cpu, unit: "cmd/s", target: goal },
    { name: "parse, multi-step sequences", value: multi.wall, unit: "cmd/s" },
    { name: "parse, multi-step, per CPU-second", value: multi.cpu, unit: "cmd/s" },
    { name: "parse, phrasings people write", value: people.wall, unit: "cmd/s", target: goal },
    {
      name: "parse, phrasings, per CPU-second",
      value: people.cpu,
      unit: "cmd/s",
      target: goal,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await run())
    console.log(`${row.name}: ${row.value} ${row.unit} ${row.target ?? ""}`);
}
