import type { Kysely } from "kysely";
import { z } from "zod";
import { type Cache, getCache } from "../cache/index.js";
import type { Database } from "../db/index.js";
import { validate } from "../http/validate.js";
import { ensureCounter, releaseCounters, reserveCounter } from "./counters.js";
import {
  BudgetExceededError,
  BudgetReservationError,
  BudgetSessionClosedError,
  BudgetSessionNotFoundError,
} from "./errors.js";
import { type BudgetReservation, ledgerId, selectLedger, toReservation } from "./reservation.js";
import { sumLedger } from "./sumLedger.js";
import {
  type ApplicableLimit,
  applicableLimits,
  microsToUsd,
  usdToMicros,
  utcDay,
} from "./units.js";

export interface ReserveBudgetParameters {
  db: Kysely<Database>;
  /** Decides the backend: Redis/Upstash counters, or (memory cache) a Postgres row lock. */
  cache?: Cache;
  sessionId: string;
  runId: string;
  stepIndex: number;
  /** Token address (or symbol) the step spends. */
  token: string;
  /** Base units. */
  amount: bigint | string;
  /** USD value as a decimal string; required when the session has a USD-denominated limit. */
  usdAmount?: string;
  /** The instant that picks the daily window (default now). */
  now?: Date;
}

export interface ReserveBudgetReturnType {
  reservation: BudgetReservation;
  /** True when this step had already reserved: the earlier reservation is returned unchanged. */
  replayed: boolean;
  backend: "postgres" | "cache";
}

const parametersSchema = z.object({
  sessionId: z.string().min(1).max(200),
  runId: z.string().min(1).max(200),
  stepIndex: z.number().int().min(0),
  token: z.string().trim().min(1).max(128),
  amount: z
    .union([z.bigint().nonnegative(), z.string().regex(/^\d{1,78}$/)])
    .transform((v) => BigInt(v)),
  usdAmount: z
    .string()
    .regex(/^\d{1,24}(\.\d{1,30})?$/)
    .optional(),
});

/** A claim outlives any normal reservation; after a crash the step can retry once it expires. */
const CLAIM_TTL_SECONDS = 30;
const CLAIM_WAIT_MS = 10_000;

const sessionColumns = [
  "id",
  "status",
  "budget_amount",
  "budget_token",
  "daily_limit_amount",
  "daily_limit_token",
] as const;

/**
 * Reserves budget for one money-moving step before the money moves. Atomic under concurrency
 * (never lets reserved + settled pass a limit), idempotent per (runId, stepIndex), and refuses
 * with BudgetExceededError naming the limit, what is spent, reserved and requested.
 */
export async function reserveBudget(
  parameters: ReserveBudgetParameters,
): Promise<ReserveBudgetReturnType> {
  const input = validate(parametersSchema, parameters, "budget reservation");
  const cache = parameters.cache ?? (await getCache());
  const spend = {
    ...input,
    id: ledgerId(input),
    usdMicros: input.usdAmount === undefined ? undefined : usdToMicros(input.usdAmount),
    day: utcDay(parameters.now ?? new Date()),
  };
  return cache.kind === "memory"
    ? reserveWithRowLock(parameters.db, spend)
    : reserveWithCounters(parameters.db, cache, spend);
}

interface Spend {
  id: string;
  sessionId: string;
  runId: string;
  token: string;
  amount: bigint;
  usdMicros: bigint | undefined;
  day: string;
}

function ledgerValues(spend: Spend) {
  return {
    id: spend.id,
    session_id: spend.sessionId,
    run_id: spend.runId,
    token: spend.token,
    amount: spend.amount,
    usd_amount: spend.usdMicros === undefined ? null : microsToUsd(spend.usdMicros),
    status: "reserved" as const,
    day: spend.day,
  };
}

async function exceeded(
  db: Kysely<Database>,
  spend: Spend,
  limit: ApplicableLimit,
): Promise<BudgetExceededError> {
  const totals = await sumLedger(db, {
    sessionId: spend.sessionId,
    unit: limit.unit,
    day: limit.day,
  });
  return new BudgetExceededError({
    scope: limit.scope,
    sessionId: spend.sessionId,
    unit: limit.unit,
    limit: limit.limit,
    spent: totals.spent,
    reserved: totals.reserved,
    requested: limit.charge,
    day: limit.day,
  });
}

/** Postgres backend: the session row lock serialises reservations of one session. */
async function reserveWithRowLock(
  db: Kysely<Database>,
  spend: Spend,
): Promise<ReserveBudgetReturnType> {
  return await db.transaction().execute(async (trx) => {
    const session = await trx
      .selectFrom("agent_sessions")
      .select(sessionColumns)
      .where("id", "=", spend.sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (!session) throw new BudgetSessionNotFoundError(spend.sessionId);
    const existing = await selectLedger(trx.selectFrom("spend_ledger"))
      .where("id", "=", spend.id)
      .executeTakeFirst();
    if (existing)
      return { reservation: toReservation(existing), replayed: true, backend: "postgres" };
    if (session.status === "closed") throw new BudgetSessionClosedError(spend.sessionId);
    for (const limit of applicableLimits(session, spend)) {
      const totals = await sumLedger(trx, {
        sessionId: spend.sessionId,
        unit: limit.unit,
        day: limit.day,
      });
      if (totals.spent + totals.reserved + limit.charge > limit.limit)
        throw await exceeded(trx, spend, limit);
    }
    const row = await trx
      .insertInto("spend_ledger")
      .values(ledgerValues(spend))
      .returning("id")
      .executeTakeFirstOrThrow();
    const inserted = await selectLedger(trx.selectFrom("spend_ledger"))
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
    return { reservation: toReservation(inserted), replayed: false, backend: "postgres" };
  });
}

/**
 * Redis/Upstash backend: one atomic Lua check-and-reserve per limit, then the ledger row as the
 * durable record. If a later limit refuses, or the row cannot be written, the counters are given
 * back, so a failure can only leave the counters too high (stricter), never too low.
 */
async function reserveWithCounters(
  db: Kysely<Database>,
  cache: Cache,
  spend: Spend,
): Promise<ReserveBudgetReturnType> {
  const findExisting = () =>
    selectLedger(db.selectFrom("spend_ledger")).where("id", "=", spend.id).executeTakeFirst();
  // Counters cannot tell a retry of this step from another step, so concurrent calls for the
  // same step are serialised by a short claim; the losers then find the winner's ledger row.
  const claimKey = `budget:claim:${spend.id}`;
  const deadline = Date.now() + CLAIM_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    const existing = await findExisting();
    if (existing) return { reservation: toReservation(existing), replayed: true, backend: "cache" };
    if (await cache.set(claimKey, "1", { onlyIfAbsent: true, ttlSeconds: CLAIM_TTL_SECONDS }))
      break;
    if (Date.now() > deadline) {
      throw new BudgetReservationError(
        "conflict",
        `Budget reservation ${spend.id} is held by another call; retry`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(10 * attempt, 200)));
  }
  try {
    return await reserveClaimed(db, cache, spend, findExisting);
  } finally {
    await cache.delete(claimKey).catch(() => undefined);
  }
}

async function reserveClaimed(
  db: Kysely<Database>,
  cache: Cache,
  spend: Spend,
  findExisting: () => Promise<Parameters<typeof toReservation>[0] | undefined>,
): Promise<ReserveBudgetReturnType> {
  const session = await db
    .selectFrom("agent_sessions")
    .select(sessionColumns)
    .where("id", "=", spend.sessionId)
    .executeTakeFirst();
  if (!session) throw new BudgetSessionNotFoundError(spend.sessionId);
  if (session.status === "closed") throw new BudgetSessionClosedError(spend.sessionId);

  const held: { key: string; amount: bigint }[] = [];
  try {
    for (const limit of applicableLimits(session, spend)) {
      const key = await ensureCounter(db, cache, spend.sessionId, limit);
      if (!(await reserveCounter(cache, key, limit))) throw await exceeded(db, spend, limit);
      held.push({ key, amount: limit.charge });
    }
    const inserted = await db
      .insertInto("spend_ledger")
      .values(ledgerValues(spend))
      .onConflict((oc) => oc.column("id").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) {
      // A concurrent call for the same step won the insert: its counters stand, ours go back.
      await releaseCounters(cache, held);
      const winner = await findExisting();
      return { reservation: toReservation(winner!), replayed: true, backend: "cache" };
    }
  } catch (error) {
    await releaseCounters(cache, held).catch(() => undefined);
    throw error;
  }
  const row = await findExisting();
  return { reservation: toReservation(row!), replayed: false, backend: "cache" };
}
