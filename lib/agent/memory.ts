import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { Command } from "./intent.js";
import type { Plan } from "./plan.js";

/** What a session remembers for references like "do that again" or "swap it back". */
export interface SessionMemory {
  lastCommand?: Command;
  /** The last service paid (by name or URL) and its catalogue id when known. */
  lastService?: { name?: string; url?: string; serviceId?: string };
  /** The last swap; amountOut is what it produced (or the least it was planned to produce). */
  lastSwap?: { tokenIn: string; tokenOut: string; amountIn: string; amountOut?: string };
}

/** Parameters of rememberRun. */
export interface RememberRunParameters {
  sessionId: string;
  runId: string;
  command: Command;
  plan: Plan;
  /** Actual swap outputs by plan action index, once the run has executed them. */
  swapOutputs?: Record<number, string>;
}

type MemoryKind = "intent" | "service" | "swap";

/** One agent_memory row as rememberRun writes it. */
export interface MemoryRow {
  session_id: string;
  run_id: string;
  kind: MemoryKind;
  /** JSON text. */
  data: string;
}

/**
 * Records what a run did so later commands in the same session can refer to it. One row per
 * kind (intent, service, swap), appended; loadMemory reads the newest of each.
 */
export async function rememberRun(
  db: Kysely<Database>,
  parameters: RememberRunParameters,
): Promise<void> {
  await db.insertInto("agent_memory").values(memoryRows(parameters)).execute();
}

/** The rows rememberRun appends (for a caller that writes them in a statement of its own). */
export function memoryRows(parameters: RememberRunParameters): MemoryRow[] {
  const { sessionId, runId, command, plan, swapOutputs } = parameters;
  const rows: Array<{ kind: MemoryKind; data: unknown }> = [{ kind: "intent", data: command }];

  const payIntent = [...command.steps]
    .reverse()
    .find((step) => step.kind === "pay" || step.kind === "subscribe");
  const payAction = [...plan.actions].reverse().find((planned) => planned.action.type === "pay");
  if (payAction?.action.type === "pay") {
    const name = payIntent && "service" in payIntent ? payIntent.service : undefined;
    rows.push({
      kind: "service",
      data: { name, url: payAction.action.url, serviceId: payAction.action.serviceId },
    });
  } else if (payIntent && "service" in payIntent && payIntent.service) {
    rows.push({ kind: "service", data: { name: payIntent.service } });
  }

  const swap = [...plan.actions].reverse().find((planned) => planned.action.type === "swap");
  if (swap?.action.type === "swap") {
    const amountOut =
      swapOutputs?.[swap.index] ?? swap.action.quotedAmountOut ?? swap.action.minAmountOut;
    rows.push({
      kind: "swap",
      data: {
        tokenIn: swap.action.tokenIn,
        tokenOut: swap.action.tokenOut,
        amountIn: swap.action.amountIn,
        ...(amountOut ? { amountOut } : {}),
      },
    });
  }

  return rows.map((row) => ({
    session_id: sessionId,
    run_id: runId,
    kind: row.kind,
    data: JSON.stringify(row.data),
  }));
}

function parseData(data: unknown): unknown {
  return typeof data === "string" ? JSON.parse(data) : data;
}

/** Loads the newest command, service and swap a session remembered (empty object when none). */
export async function loadMemory(db: Kysely<Database>, sessionId: string): Promise<SessionMemory> {
  const rows = await db
    .selectFrom("agent_memory")
    .select(["kind", "data"])
    .distinctOn("kind")
    .where("session_id", "=", sessionId)
    .where("kind", "in", ["intent", "service", "swap"])
    .orderBy("kind")
    .orderBy("id", "desc")
    .execute();
  const memory: SessionMemory = {};
  for (const row of rows) {
    const data = parseData(row.data);
    if (row.kind === "intent") {
      const parsed = Command.safeParse(data);
      if (parsed.success) memory.lastCommand = parsed.data;
    } else if (row.kind === "service") {
      memory.lastService = data as SessionMemory["lastService"];
    } else if (row.kind === "swap") {
      memory.lastSwap = data as SessionMemory["lastSwap"];
    }
  }
  return memory;
}
