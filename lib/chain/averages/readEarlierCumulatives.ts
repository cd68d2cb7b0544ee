import { log } from "../../log.js";
import type { ChainContext } from "../clients.js";
import { isRpcUnavailable } from "../isRpcUnavailable.js";
import { type EarlierBlock, findEarlierBlock } from "./findEarlierBlock.js";
import { type PairCumulatives, readPairCumulatives } from "./readPairCumulatives.js";

/** Finds the block an average starts at; the hops of one route share one search (measurePriceGap). */
export type FindStartBlock = (from: {
  blockNumber: bigint;
  timestamp: bigint;
}) => Promise<EarlierBlock | undefined>;

/**
 * The pair's oracle at the newest block at least `minSeconds` before `now`, read from the chain's
 * own state, when that block is at most `maxSeconds` back: what serves a swap when no stored
 * observation is in that window (on Vercel the background checks run once a day). The block comes
 * from findEarlierBlock (or `findStartBlock`, which a route's hops share: the block does not depend
 * on the pair). Undefined when no block is in the window (a young or quiet chain) or the node
 * answers that it no longer has that state (a pruned node; the pair did not exist yet). A node that
 * does not answer (a timeout, 429, 5xx, a dropped connection) is an outage, not an answer: that
 * error propagates, and the swap step retries instead of going ahead unguarded.
 */
export async function readEarlierCumulatives(
  context: ChainContext,
  parameters: {
    now: PairCumulatives;
    minSeconds: number;
    maxSeconds: number;
    findStartBlock?: FindStartBlock;
  },
): Promise<PairCumulatives | undefined> {
  const { now, minSeconds } = parameters;
  const findStartBlock: FindStartBlock =
    parameters.findStartBlock ?? ((from) => findEarlierBlock(context, { from, minSeconds }));
  try {
    const start = await findStartBlock({ blockNumber: now.blockNumber, timestamp: now.timestamp });
    if (!start) return undefined;
    if (start.budgetSpent) {
      log.warn("price average: block search stopped at its lookup budget", {
        pair: now.pair,
        blockNumber: start.number.toString(),
        ageSeconds: start.age.toString(),
      });
    }
    if (start.age > BigInt(parameters.maxSeconds)) return undefined;
    return await readPairCumulatives(context, { pair: now.pair, blockNumber: start.number });
  } catch (error) {
    if (isRpcUnavailable(error)) throw error;
    // The node answered that it has no such state (pruned, or no pair there yet): no average, as
    // with no observation; said in the log, since the swap then has its slippage floor only.
    log.warn("price average: the node has no earlier state of the pair", { pair: now.pair, error });
    return undefined;
  }
}
