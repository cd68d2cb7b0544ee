import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/database.js";
import { PERIOD_MS } from "../windows/windowSpecs.js";

const HOUR_MS = PERIOD_MS.hour;

export interface MarkPriceParameters {
  network: string;
  /** The registry's symbol. */
  token: string;
  /** The pool's price now: micro-dollars per whole token × PRICE_SCALE. */
  price: bigint;
  /** How many whole hours before this one count. */
  windowHours: number;
  now: Date;
}

/** The highest and lowest price of the window, this one included. */
export interface PriceRange {
  high: bigint;
  low: bigint;
}

/**
 * Records `price` in this hour's mark of the token (raising its high, lowering its low) and answers
 * the window's range, this hour and the `windowHours` before it, in one statement. The window's
 * rows are read in the statement's snapshot, which does not see the upsert; this price joins them
 * through the upsert's own answer.
 *
 * Inside a caller's transaction nothing is recorded, only read: the upsert would hold the hour's
 * row locked until that transaction ends, and every pricing of the token (and a pool read of the
 * next token, in a transaction pricing two) would wait on it. The marks of other pricings and of
 * the background checks are still there.
 */
export async function markPrice(
  db: Kysely<Database>,
  parameters: MarkPriceParameters,
): Promise<PriceRange> {
  const { network, token, now } = parameters;
  const hour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  const since = new Date(hour.getTime() - parameters.windowHours * HOUR_MS);
  const price = parameters.price.toString();
  if (db.isTransaction) {
    const earlier = await db
      .selectFrom("price_marks")
      .select((eb) => [eb.fn.max("high").as("high"), eb.fn.min("low").as("low")])
      .where("network", "=", network)
      .where("token", "=", token)
      .where("hour", ">=", since)
      .executeTakeFirst();
    const high = earlier?.high == null ? parameters.price : BigInt(earlier.high);
    const low = earlier?.low == null ? parameters.price : BigInt(earlier.low);
    return {
      high: high > parameters.price ? high : parameters.price,
      low: low < parameters.price ? low : parameters.price,
    };
  }
  const { rows } = await sql<{ high: string; low: string }>`
    with mark as (
      insert into price_marks (network, token, hour, high, low, updated_at)
      values (${network}, ${token}, ${hour}, cast(${price} as numeric), cast(${price} as numeric), ${now})
      on conflict (network, token, hour) do update set
        high = greatest(price_marks.high, excluded.high),
        low = least(price_marks.low, excluded.low),
        updated_at = excluded.updated_at
      returning high, low
    ), earlier as (
      select max(high) as high, min(low) as low from price_marks
      where network = ${network} and token = ${token} and hour >= ${since}
    )
    select greatest(earlier.high, mark.high)::text as high, least(earlier.low, mark.low)::text as low
    from mark, earlier`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("the price mark's upsert returned no row");
  return { high: BigInt(row.high), low: BigInt(row.low) };
}
