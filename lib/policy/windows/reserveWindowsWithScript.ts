import type { Kysely } from "kysely";
import type { Cache } from "../../cache/index.js";
import type { Database } from "../../db/database.js";
import { BaseError } from "../../errors/index.js";
import { chargeIn, findReservation } from "./ledger.js";
import {
  type ReserveWindowsParameters,
  type ReserveWindowsReturnType,
  reservationValues,
  type WindowUsage,
} from "./reserveWindows.js";
import {
  finishWindowsScript,
  reserveWindowsScript,
  seedWindowScript,
  windowKeys,
} from "./scripts.js";
import type { WindowSpec } from "./windowSpecs.js";

/** A claim outlives any normal reservation; after a crash the step can retry once it expires. */
const CLAIM_TTL_SECONDS = 30;
const CLAIM_WAIT_MS = 10_000;

/** What a call answers when the reservation is already recorded (a retry, or a concurrent call). */
const replayed = (): ReserveWindowsReturnType => ({
  reserved: true,
  replayed: true,
  backend: "cache",
  usage: [],
});

class WindowReservationBusyError extends BaseError {
  static override defaultKind = "transient" as const;
  override name = "WindowReservationBusyError";
}

/**
 * Redis/Upstash backend: one Lua call checks and reserves every window; the ledger row follows as
 * the durable record (and is what a lost Redis is re-seeded from). Calls for the same reservation
 * are serialised by a short claim, like lib/budget, so a retry finds the first call's row.
 */
export async function reserveWindowsWithScript(
  parameters: ReserveWindowsParameters & { cache: Cache; now: Date },
): Promise<ReserveWindowsReturnType> {
  const { cache, db } = parameters;
  const claimKey = `policy:claim:${parameters.reservationId}`;
  const deadline = Date.now() + CLAIM_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    if (await cache.set(claimKey, "1", { onlyIfAbsent: true, ttlSeconds: CLAIM_TTL_SECONDS }))
      break;
    // Held by another call: done once that call's row is there (a retry of a finished one too).
    if (await findReservation(db, parameters.reservationId)) return replayed();
    if (Date.now() > deadline)
      throw new WindowReservationBusyError(
        `Reservation ${parameters.reservationId} is held by another call; retry`,
      );
    await new Promise((resolve) => setTimeout(resolve, Math.min(10 * attempt, 200)));
  }
  try {
    // Read under the claim: a call that held it before this one may have written its row and let
    // go. Going on would find the id in the counters, fail to insert its row, and give back the
    // other call's charge (a looser window).
    if (await findReservation(db, parameters.reservationId)) return replayed();
    return await reserveClaimed(parameters);
  } finally {
    await cache.delete(claimKey).catch(() => undefined);
  }
}

async function reserveClaimed(
  parameters: ReserveWindowsParameters & { cache: Cache; now: Date },
): Promise<ReserveWindowsReturnType> {
  const { cache, db, subject, windows, now } = parameters;
  const keys = windows.flatMap((w) => windowKeys(subject, w.period, w.unit.name));
  const args = [parameters.reservationId, String(now.getTime())];
  for (const w of windows) {
    args.push(
      String(w.periodMs),
      w.limit === null ? "" : w.limit.toString(),
      w.maxCount === null ? "" : String(w.maxCount),
      (parameters.charges[w.unit.name] ?? 0n).toString(),
    );
  }
  let reply: unknown[] = [];
  // Each round seeds at most one missing window, so this ends after windows.length + 1 rounds.
  for (let round = 0; round <= windows.length; round++) {
    reply = (await cache.runScript(reserveWindowsScript, keys, args)) as unknown[];
    if (Number(reply[0]) !== -1) break;
    await seedWindow(
      db,
      cache,
      subject,
      windows[Number(reply[1]) - 1]!,
      parameters.unitPrices,
      now,
    );
  }
  const status = Number(reply[0]);
  if (status === 0) {
    return {
      reserved: false,
      window: windows[Number(reply[1]) - 1]!,
      count: Number(reply[2]),
      total: BigInt(String(reply[3])),
    };
  }
  if (status !== 1 && status !== 2)
    throw new WindowReservationBusyError(`Windows of ${subject} could not be seeded; retry`);
  try {
    const inserted = await db
      .insertInto("policy_reservations")
      .values(reservationValues(parameters))
      .onConflict((oc) => oc.column("id").doNothing())
      .returning("id")
      .executeTakeFirst();
    // Recorded by a call whose claim outlived its TTL: the counters hold this id once (the script
    // adds an id only once), and the row that owns it is there, so leave both as they are.
    if (!inserted) return replayed();
  } catch (error) {
    // No durable record, so the counters must not keep it either: stricter is fine, looser is not.
    await cache
      .runScript(finishWindowsScript, keys, [parameters.reservationId, ...windows.map(() => "")])
      .catch(() => undefined);
    throw error;
  }
  const usage: WindowUsage[] = windows.map((w, i) => ({
    index: w.index,
    count: status === 1 ? Number(reply[1 + 2 * i]) : 0,
    total: status === 1 ? BigInt(String(reply[2 + 2 * i])) : 0n,
  }));
  return { reserved: true, replayed: false, backend: "cache", usage: status === 1 ? usage : [] };
}

/** Loads one window of a subject from the ledger into Redis (only if nobody else did). */
async function seedWindow(
  db: Kysely<Database>,
  cache: Cache,
  subject: string,
  window: WindowSpec,
  unitPrices: Record<string, bigint> | undefined,
  now: Date,
): Promise<void> {
  const rows = await db
    .selectFrom("policy_reservations")
    .select(["id", "charges", "usd_micros", "reserved_at"])
    .where("subject", "=", subject)
    .where("status", "in", ["reserved", "settled"])
    .where("reserved_at", ">", new Date(now.getTime() - window.periodMs))
    .execute();
  const args = [String(window.periodMs + 60_000)];
  for (const row of rows) {
    const charges = Object.fromEntries(
      Object.entries(row.charges).map(([unit, value]) => [unit, BigInt(value)]),
    );
    const usdMicros = row.usd_micros === null ? null : BigInt(row.usd_micros);
    const charge = chargeIn({ charges, usdMicros }, window.unit, unitPrices?.[window.unit.name]);
    args.push(row.id, String(row.reserved_at.getTime()), charge.toString());
  }
  await cache.runScript(
    seedWindowScript,
    windowKeys(subject, window.period, window.unit.name),
    args,
  );
}
