import type { Kysely } from "kysely";
import { type Cache, getCache } from "../../cache/index.js";
import type { Database } from "../../db/database.js";
import { findReservation, sumWindow } from "./ledger.js";
import { reserveWindowsWithScript } from "./reserveWindowsWithScript.js";
import type { WindowSpec } from "./windowSpecs.js";

export interface ReserveWindowsParameters {
  db: Kysely<Database>;
  /** Decides the backend: Redis/Upstash Lua, or (memory cache) a Postgres row lock. */
  cache?: Cache;
  /** Whose windows: the agent key id ("default" subject for keyless callers). */
  subject: string;
  /** Idempotency key of the reservation: `${runId}:${stepIndex}`. */
  reservationId: string;
  runId?: string | null;
  policyId?: string | null;
  policyVersion?: number | null;
  /** The spend: token symbol, base units, USD value (micro-dollars) when priced. */
  token: string;
  amount: bigint;
  usdMicros: bigint | null;
  /** What the spend charges each unit (evaluatePolicy's `charges`). */
  charges: Record<string, bigint>;
  windows: WindowSpec[];
  /** Micro-dollars per whole token of each token window unit, to count older rows that lack it. */
  unitPrices?: Record<string, bigint>;
  now?: Date;
}

/** Usage of one window after the reservation. */
export interface WindowUsage {
  index: number;
  count: number;
  total: bigint;
}

export type ReserveWindowsReturnType =
  | { reserved: true; replayed: boolean; backend: "postgres" | "cache"; usage: WindowUsage[] }
  | { reserved: false; window: WindowSpec; count: number; total: bigint };

/**
 * Reserves one money-moving action against every rolling window of its subject, atomically:
 * either it fits all of them (amount in each window's unit, and maxCount) and is recorded, or
 * nothing is reserved. Exact under concurrency: a Postgres row lock per subject, or one Lua
 * script over all the subject's windows on Redis. Idempotent per reservationId. The ledger row
 * (policy_reservations) is the durable record; settle or release it after the action.
 */
export async function reserveWindows(
  parameters: ReserveWindowsParameters,
): Promise<ReserveWindowsReturnType> {
  const cache = parameters.cache ?? (await getCache());
  const now = parameters.now ?? new Date();
  return cache.kind === "memory"
    ? await reserveWithRowLock({ ...parameters, now })
    : await reserveWindowsWithScript({ ...parameters, cache, now });
}

/** Values of the ledger row a reservation writes. */
export function reservationValues(parameters: ReserveWindowsParameters & { now: Date }) {
  return {
    id: parameters.reservationId,
    subject: parameters.subject,
    run_id: parameters.runId ?? null,
    policy_id: parameters.policyId ?? null,
    policy_version: parameters.policyVersion ?? null,
    token: parameters.token,
    amount: parameters.amount,
    usd_micros: parameters.usdMicros,
    charges: JSON.stringify(
      Object.fromEntries(Object.entries(parameters.charges).map(([u, v]) => [u, v.toString()])),
    ),
    status: "reserved" as const,
    reserved_at: parameters.now,
  };
}

/** Postgres backend: the subject's lock row serialises its reservations. */
async function reserveWithRowLock(
  parameters: ReserveWindowsParameters & { now: Date },
): Promise<ReserveWindowsReturnType> {
  const { subject, now } = parameters;
  return await parameters.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("policy_subject_locks")
      .values({ subject })
      .onConflict((conflict) => conflict.column("subject").doNothing())
      .execute();
    await trx
      .selectFrom("policy_subject_locks")
      .select("subject")
      .where("subject", "=", subject)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (await findReservation(trx, parameters.reservationId))
      return { reserved: true, replayed: true, backend: "postgres", usage: [] };
    const usage: WindowUsage[] = [];
    for (const window of parameters.windows) {
      const { count, total } = await sumWindow(trx, {
        subject,
        since: new Date(now.getTime() - window.periodMs),
        unit: window.unit,
        perWhole: parameters.unitPrices?.[window.unit.name],
      });
      const charge = parameters.charges[window.unit.name] ?? 0n;
      if (window.maxCount !== null && count + 1 > window.maxCount)
        return { reserved: false, window, count, total };
      if (window.limit !== null && total + charge > window.limit)
        return { reserved: false, window, count, total };
      usage.push({ index: window.index, count: count + 1, total: total + charge });
    }
    await trx.insertInto("policy_reservations").values(reservationValues(parameters)).execute();
    return { reserved: true, replayed: false, backend: "postgres", usage };
  });
}
