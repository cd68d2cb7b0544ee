/**
 * The child of `npm run bench acceptcpu` (one process per backing, so its settings and stub world
 * touch nothing else). It calls Paygent's accept (the POST /api/agent/execute handler) and the
 * outbox floor's accept (one INSERT, a 202, start() after) in this process, without HTTP, and
 * prints one JSON line: main-thread CPU per accept, one at a time, and bursts of 50 concurrent
 * accepts (their main-thread CPU and the p95 of their answers). The workflow start after each
 * 202 goes to a stub world that refuses at once, and is held back (requestsFirst) until the
 * measurement is read, so only the accept is measured.
 *
 * Environment: BENCH_ACCEPT_ENV (JSON: the backing's settings), BENCH_ACCEPT_ROUNDS.
 */
import { readFileSync } from "node:fs";
import { percentile } from "../stats.js";

const rounds = Number(process.env.BENCH_ACCEPT_ROUNDS ?? "30");
Object.assign(process.env, JSON.parse(process.env.BENCH_ACCEPT_ENV ?? "{}"), {
  LOG_LEVEL: "error",
  RATE_LIMIT_PER_MINUTE: "100000000",
  ACCEPT_OUTBOX: "true",
  DEV_REQUESTS_FIRST: "true",
});

const { setWorld } = await import("workflow/runtime");
const refuse = () => Promise.reject(new Error("bench: the stub world starts nothing"));
setWorld(new Proxy({}, { get: () => new Proxy(refuse, { get: () => refuse }) }) as never);

const { getDb, closeDb } = await import("../../lib/db/index.js");
const { createKey } = await import("../../lib/auth/createKey.js");
const { holdForRequest, afterRequests } = await import("../../lib/world/requestsFirst.js");
const { newId } = await import("../../lib/ids.js");
const { json } = await import("../../lib/http/respond.js");
const { POST } = await import("../../api/agent/execute.js");
const { start } = await import("workflow/api");
const { insertFloorRun } = await import("../../dev/benchRoutes.js");

const db = await getDb();
const agent = await createKey(db, { name: "bench accept", role: "agent" });
const floorSessionId = newId("ses");
await db.insertInto("agent_sessions").values({ id: floorSessionId, api_key_id: null }).execute();

/** Paygent's accept, as the host calls it (a Web Request in, a Response out). */
async function paygent(): Promise<void> {
  const request = new Request("http://127.0.0.1/api/agent/execute", {
    method: "POST",
    headers: {
      authorization: `Bearer ${agent.key}`,
      "content-type": "application/json",
      "x-real-ip": "127.0.0.1",
    },
    body: JSON.stringify({ command: "check my balance" }),
  });
  const response = await POST(request);
  if (response.status !== 202) throw new Error(`accept answered ${response.status}`);
  await response.text();
}

/** The outbox floor's accept, as dev/benchRoutes.ts serves it. */
async function floor(): Promise<void> {
  const id = await insertFloorRun(db, floorSessionId);
  void afterRequests()
    .then(() => start({ workflowId: "bench-noop" } as never, [{ steps: 3 }] as never))
    .catch(() => {});
  await json({ id }, { status: 202 }).text();
}

/** CPU time of this thread so far, in ns. */
function threadCpuNs(): number {
  return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
}

async function oneAtATime(accept: () => Promise<void>, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const release = holdForRequest();
    const before = threadCpuNs();
    await accept();
    samples.push((threadCpuNs() - before) / 1e6);
    release();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return samples;
}

async function burst(accept: () => Promise<void>, size: number) {
  const release = holdForRequest();
  const started = performance.now();
  const before = threadCpuNs();
  const answered: number[] = [];
  await Promise.all(
    Array.from({ length: size }, () =>
      accept().then(() => answered.push(performance.now() - started)),
    ),
  );
  const cpuMs = (threadCpuNs() - before) / 1e6;
  release();
  await new Promise((resolve) => setTimeout(resolve, 150));
  return { cpuMs, p95: percentile(answered, 95) };
}

// Warm up: JIT, prepared statements, the key's cached read.
await oneAtATime(paygent, 300);
await oneAtATime(floor, 300);
for (let i = 0; i < 3; i++) {
  await burst(paygent, 50);
  await burst(floor, 50);
}
const sequential = { paygent: [] as number[], floor: [] as number[] };
for (let round = 0; round < 3; round++) {
  sequential.paygent.push(percentile(await oneAtATime(paygent, 200), 50));
  sequential.floor.push(percentile(await oneAtATime(floor, 200), 50));
}
const bursts = {
  paygent: [] as { cpuMs: number; p95: number }[],
  floor: [] as { cpuMs: number; p95: number }[],
};
for (let round = 0; round < rounds; round++) {
  // Alternating which goes first, so neither always meets the other's leftovers.
  for (const side of round % 2
    ? (["floor", "paygent"] as const)
    : (["paygent", "floor"] as const)) {
    bursts[side].push(await burst(side === "paygent" ? paygent : floor, 50));
  }
}
const median = (values: number[]) => percentile(values, 50);
process.stdout.write(
  `${JSON.stringify({
    cpuPerAccept: { paygent: median(sequential.paygent), floor: median(sequential.floor) },
    burstCpu: {
      paygent: median(bursts.paygent.map((b) => b.cpuMs)),
      floor: median(bursts.floor.map((b) => b.cpuMs)),
    },
    burstP95: {
      paygent: median(bursts.paygent.map((b) => b.p95)),
      floor: median(bursts.floor.map((b) => b.p95)),
    },
    burstP95Ratio: median(bursts.paygent.map((b, i) => b.p95 / bursts.floor[i]!.p95)),
  })}\n`,
);
await closeDb();
process.exit(0);
