import type { Kysely } from "kysely";
import type { Database } from "../../db/database.js";
import type { ChainContext } from "../clients.js";
import { averageWindow } from "./averageWindow.js";
import { findPairObservation, type PairObservation } from "./findPairObservation.js";
import { type FindStartBlock, readEarlierCumulatives } from "./readEarlierCumulatives.js";
import type { PairCumulatives } from "./readPairCumulatives.js";
import { subtractCumulatives } from "./subtractCumulatives.js";

/**
 * Where a pair's average starts: the newest stored observation between minSeconds and
 * storedSeconds back (averageWindow), else the chain's own state at the newest block at least
 * minSeconds back. A stored observation that is not of this chain's past (accumulators beyond
 * today's: a devnet restarted from scratch) is passed over for the chain's state. Undefined when
 * neither has one. `findStartBlock` lets the hops of one route share the chain search.
 */
export async function findAverageStart(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: { now: PairCumulatives; averageMinutes: number; findStartBlock?: FindStartBlock },
): Promise<PairObservation | undefined> {
  const { now } = parameters;
  const { minSeconds, storedSeconds, maxSeconds } = averageWindow(parameters.averageMinutes);
  const at = (secondsBefore: number) => new Date((Number(now.timestamp) - secondsBefore) * 1000);
  const stored = await findPairObservation(db, {
    network: context.network,
    pair: now.pair,
    notBefore: at(storedSeconds),
    notAfter: at(minSeconds),
    beforeBlock: now.blockNumber,
  });
  if (
    stored &&
    subtractCumulatives(now.price0Cumulative, stored.price0Cumulative) !== undefined &&
    subtractCumulatives(now.price1Cumulative, stored.price1Cumulative) !== undefined
  )
    return stored;
  return await readEarlierCumulatives(context, {
    now,
    minSeconds,
    maxSeconds,
    ...(parameters.findStartBlock ? { findStartBlock: parameters.findStartBlock } : {}),
  });
}
