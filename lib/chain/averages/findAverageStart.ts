import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import type { ChainContext } from "../clients.js";
import { averageWindow } from "./averageWindow.js";
import { findPairObservation, type PairObservation } from "./findPairObservation.js";
import { readEarlierCumulatives } from "./readEarlierCumulatives.js";
import type { PairCumulatives } from "./readPairCumulatives.js";

/**
 * Where a pair's average starts: the newest stored observation in the window averageWindow gives,
 * else the chain's own state at a block in it. Undefined when neither has one.
 */
export async function findAverageStart(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: { now: PairCumulatives; averageMinutes: number },
): Promise<PairObservation | undefined> {
  const { now } = parameters;
  const { minSeconds, maxSeconds } = averageWindow(parameters.averageMinutes);
  const at = (secondsBefore: number) => new Date((Number(now.timestamp) - secondsBefore) * 1000);
  const stored = await findPairObservation(db, {
    network: context.network,
    pair: now.pair,
    notBefore: at(maxSeconds),
    notAfter: at(minSeconds),
    beforeBlock: now.blockNumber,
  });
  if (stored) return stored;
  return await readEarlierCumulatives(context, { now, minSeconds, maxSeconds });
}
