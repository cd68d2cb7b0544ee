import type { Kysely } from "kysely";
import type { ChainContext } from "../../chain/clients.js";
import type { Database } from "../../db/database.js";
import { isErrorNamed } from "../../errors/index.js";
import { PERIOD_MS } from "../windows/windowSpecs.js";
import { readPriceRange } from "./readPriceRange.js";

const HOUR_MS = PERIOD_MS.hour;
/** Marks older than the longest window POLICY_PRICE_WINDOW_HOURS allows are never read again. */
const KEEP_HOURS = 7 * 24 + 1;

/** Process-wide: when the pools were last sampled (the background checks run every few seconds). */
let lastSampledAt = 0;

/**
 * Records every pool-priced token's price in this hour's mark (background check), so the window a
 * policy check holds prices to (chainPricer) knows the prices from before an agent's first spend,
 * and forgets marks no window can reach. At most once per `everyMs` per process. Returns the
 * tokens marked, or null when it was not yet time.
 */
export async function samplePrices(
  db: Kysely<Database>,
  parameters: { chain: ChainContext; windowHours: number; everyMs?: number; now?: Date },
): Promise<string[] | null> {
  const now = parameters.now ?? new Date();
  if (parameters.windowHours === 0) return null;
  const everyMs = parameters.everyMs ?? 60_000;
  if (everyMs > 0 && now.getTime() - lastSampledAt < everyMs) return null;
  const marked: string[] = [];
  for (const token of parameters.chain.registry.tokens) {
    if (token.stable) continue;
    try {
      await readPriceRange(parameters.chain, db, {
        token: token.symbol,
        windowHours: parameters.windowHours,
        now,
      });
      marked.push(token.symbol);
    } catch (error) {
      // No pool for it: nothing to remember. An RPC failure fails the check (logged, retried).
      if (!isErrorNamed(error, "PriceUnavailableError")) throw error;
    }
  }
  await db
    .deleteFrom("price_marks")
    .where("hour", "<", new Date(now.getTime() - KEEP_HOURS * HOUR_MS))
    .execute();
  // Only a pass that finished counts: after a failure the next check tries again at once.
  lastSampledAt = now.getTime();
  return marked;
}
