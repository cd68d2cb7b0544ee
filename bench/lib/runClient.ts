import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { HostProcess } from "../../tests/helpers/host.js";

/** What a measured run is: a Paygent balance command, or the no-op floor (direct or outbox accept). */
export type RunKind = "balance" | "floor" | "floor-outbox";

export interface Accepted {
  kind: RunKind;
  /** Our id (runs table). */
  id: string;
  /** The workflow run id, when the 202 carries it (the direct floor). */
  workflowRunId?: string;
  /** Client clock (Date.now()) just before the POST. */
  postedAt: number;
  /** POST → 202, client side. */
  acceptMs: number;
}

export interface Finished {
  status: string;
  /** Server clock of the end: runs.finished_at for Paygent, the world's completedAt for the floor. */
  finishedAt: number;
}

/** Drives one host: accepts runs of each kind and waits for them through the bench routes. */
export class RunClient {
  constructor(
    private readonly host: HostProcess,
    /** How many no-op steps the floor runs (the balance workflow's own step count). */
    public floorSteps: number,
  ) {}

  async accept(kind: RunKind): Promise<Accepted> {
    const postedAt = Date.now();
    const started = performance.now();
    const response =
      kind === "balance"
        ? await this.host.request("POST", "/api/agent/execute", { command: "what's my balance" })
        : await this.host.request(
            "POST",
            `/__bench/noop?steps=${this.floorSteps}${kind === "floor-outbox" ? "&outbox=1" : ""}`,
          );
    const acceptMs = performance.now() - started;
    if (response.status !== 202) {
      throw new Error(`${kind} POST answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    const body = response.body as { runId?: string; id?: string; workflowRunId?: string };
    return {
      kind,
      id: (body.runId ?? body.id)!,
      workflowRunId: body.workflowRunId,
      postedAt,
      acceptMs,
    };
  }

  /**
   * Waits until every run ended, polling one batch status request every `everyMs` (one request
   * for all runs, so polling does not load the host the way 50 pollers would).
   */
  async waitAll(runs: Accepted[], everyMs: number, timeoutMs = 300_000): Promise<Finished[]> {
    const done = new Map<Accepted, Finished>();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = runs.filter((run) => !done.has(run));
      if (pending.length === 0) return runs.map((run) => done.get(run)!);
      if (Date.now() > deadline) throw new Error(`${pending.length} runs did not end in time`);
      // Outbox floor runs learn their workflow run id from the row once the dispatcher started them.
      const byRow = pending.filter((run) => run.kind === "balance" || !run.workflowRunId);
      const byWorld = pending.filter((run) => run.kind !== "balance" && run.workflowRunId);
      const { body } = await this.host.request("POST", "/__bench/status", {
        runIds: byRow.map((run) => run.id),
        workflowRunIds: byWorld.map((run) => run.workflowRunId!),
      });
      const status = body as BenchStatus;
      const rows = new Map(status.runs.map((row) => [row.id, row]));
      const worldRuns = new Map(status.workflowRuns.map((row) => [row.id, row]));
      for (const run of byRow) {
        const row = rows.get(run.id);
        if (!row) continue;
        if (run.kind !== "balance") {
          if (row.workflowRunId) run.workflowRunId = row.workflowRunId;
          continue;
        }
        if (["completed", "failed", "cancelled"].includes(row.status)) {
          if (row.status !== "completed") throw new Error(`balance run ${run.id} ${row.status}`);
          done.set(run, { status: row.status, finishedAt: Date.parse(row.finishedAt!) });
        }
      }
      for (const run of byWorld) {
        const row = worldRuns.get(run.workflowRunId!);
        if (!row || !["completed", "failed", "cancelled"].includes(row.status)) continue;
        if (row.status !== "completed") throw new Error(`floor run ${run.id} ${row.status}`);
        done.set(run, { status: row.status, finishedAt: Date.parse(row.finishedAt!) });
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  /** The workflow steps of a finished Paygent or floor run, by name (from the world). */
  async workflowSteps(run: Accepted): Promise<string[]> {
    return (await this.workflowStepTimes(run)).map((step) => step.name);
  }

  /** The workflow steps of a finished run with their start and end (the world's records). */
  async workflowStepTimes(run: Accepted): Promise<StepTimes[]> {
    let workflowRunId = run.workflowRunId;
    if (!workflowRunId) {
      const { body } = await this.host.request("POST", "/__bench/status", { runIds: [run.id] });
      workflowRunId = body.runs[0]?.workflowRunId;
    }
    const { body } = await this.host.request("GET", `/__bench/workflow-run/${workflowRunId}`);
    return body.steps as StepTimes[];
  }

  /**
   * CPU used so far (ms): the host by thread (GET /__bench/cpu) and its devnet's anvil (summed over
   * its threads' schedstat, read here: the bench runs on the same machine). Null parts are
   * figures this system does not give.
   */
  async cpu(): Promise<CpuSample> {
    const { body } = await this.host.request("GET", "/__bench/cpu");
    const host = body as Omit<CpuSample, "anvilMs">;
    return { ...host, anvilMs: anvilCpuMs(this.host) };
  }

  /** The host's memory and event loop; `collect` runs a full GC first (host started with --expose-gc). */
  async stats(collect = false): Promise<HostStats> {
    const { body } = await this.host.request("GET", `/__bench/stats${collect ? "?gc=1" : ""}`);
    return body as HostStats;
  }
}

/** One step of GET /__bench/workflow-run/:id. */
export interface StepTimes {
  name: string;
  startedAt: string | null;
  completedAt: string | null;
}

/** The answer of POST /__bench/status (dev/benchRoutes.ts). */
interface BenchStatus {
  runs: { id: string; status: string; workflowRunId: string | null; finishedAt: string | null }[];
  workflowRuns: { id: string; status: string; finishedAt: string | null }[];
}

export interface HostStats {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  eventLoop: { idle: number; active: number; delayP99Ms: number };
}

/** CPU time so far, in ms (see RunClient.cpu). */
export interface CpuSample {
  processMs: number;
  mainThreadMs: number | null;
  pgliteWorkerMs: number | null;
  anvilMs: number | null;
}

/** CPU per run between two samples, by where it ran (ms); "other" is the host's remaining threads. */
export interface CpuPerRun {
  main: number | null;
  pgliteWorker: number | null;
  other: number | null;
  anvil: number | null;
  /** The host and anvil together: what the machine's cores spent per run. */
  total: number;
}

export function cpuPerRun(before: CpuSample, after: CpuSample, runs: number): CpuPerRun {
  const delta = (key: keyof CpuSample) => {
    const a = before[key];
    const b = after[key];
    return a === null || b === null ? null : (b - a) / runs;
  };
  const host = delta("processMs")!;
  const main = delta("mainThreadMs");
  const pgliteWorker = delta("pgliteWorkerMs");
  const anvil = delta("anvilMs");
  return {
    main,
    pgliteWorker,
    other: main === null ? null : host - main - (pgliteWorker ?? 0),
    anvil,
    total: host + (anvil ?? 0),
  };
}

/** The host's anvil's CPU time so far (ms), from its pid file; null when there is none to read. */
function anvilCpuMs(host: HostProcess): number | null {
  try {
    const stateDir = host.env.DEVNET_STATE_DIR;
    if (!stateDir) return null;
    const { pid } = JSON.parse(readFileSync(path.join(stateDir, "anvil.pid"), "utf8")) as {
      pid: number;
    };
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}

/** Event-loop utilisation of the host between two stats samples. */
export function utilisation(before: HostStats, after: HostStats): number {
  const active = after.eventLoop.active - before.eventLoop.active;
  const idle = after.eventLoop.idle - before.eventLoop.idle;
  return active + idle > 0 ? active / (active + idle) : 0;
}

/** The 1-minute load average, rounded (the machine is shared; figures are read against it). */
export function load(): number {
  return Math.round(loadavg()[0]! * 10) / 10;
}

/**
 * How long a lone run is left alone before the client asks whether it ended. The figure is the
 * server's end time, so the wait costs it nothing; asking is what would: every status request is
 * host work on the run's own event loop, and polling every 5 ms added ~50 ms to both sides' lone
 * p50 (153 / 145 ms against 100 / 96 ms quiet, balance / floor, 40 runs each, alternating in one
 * host; bench/HISTORY.md).
 */
const loneQuietMs = 300;

/**
 * One lone run: POST, then wait; POST → completed by the server's end time. `seen` collects the
 * accepted run, for figures read from its steps afterwards.
 */
export async function loneRun(
  client: RunClient,
  kind: RunKind,
  seen?: Accepted[],
): Promise<number> {
  const accepted = await client.accept(kind);
  seen?.push(accepted);
  await new Promise((resolve) => setTimeout(resolve, loneQuietMs));
  const [finished] = await client.waitAll([accepted], 20);
  return finished!.finishedAt - accepted.postedAt;
}

export interface BurstResult {
  kind: RunKind;
  acceptMs: number[];
  runsPerSecond: number;
  /**
   * CPU per run from the first POST to the last end, by thread (the bench's own polling is
   * counted too, alike for every kind).
   */
  cpu: CpuPerRun;
  /** Host event-loop utilisation from the first POST to the last end. */
  elu: number;
}

/** `count` concurrent runs of one kind: their POST → 202 times and runs/s until the last ended. */
export async function burst(client: RunClient, kind: RunKind, count: number): Promise<BurstResult> {
  const before = await client.stats();
  const cpuBefore = await client.cpu();
  const startedAt = Date.now();
  const accepted = await Promise.all(Array.from({ length: count }, () => client.accept(kind)));
  const finished = await client.waitAll(accepted, 100);
  const cpuAfter = await client.cpu();
  const after = await client.stats();
  const lastEnd = Math.max(...finished.map((f) => f.finishedAt));
  return {
    kind,
    acceptMs: accepted.map((a) => a.acceptMs),
    runsPerSecond: count / ((lastEnd - startedAt) / 1000),
    elu: utilisation(before, after),
    cpu: cpuPerRun(cpuBefore, cpuAfter, count),
  };
}
