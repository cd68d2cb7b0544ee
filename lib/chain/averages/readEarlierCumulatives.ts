import { log } from "../../log.js";
import type { ChainContext } from "../clients.js";
import { isRpcUnavailable } from "../isRpcUnavailable.js";
import { type PairCumulatives, readPairCumulatives } from "./readPairCumulatives.js";

/** Block lookups one search may make (each is one RPC call). */
const MAX_LOOKUPS = 24;

/**
 * The pair's oracle at the newest block at least `minSeconds` before `now`, read from the chain's
 * own state, when that block is at most `maxSeconds` back: what serves a swap when no stored
 * observation is in that window (on Vercel the background checks run once a day). Steps back from
 * the chain's recent block rate, doubling, then bisects to the newest such block. Undefined when no
 * block is in the window (a young or quiet chain) or the node answers that it no longer has that
 * state (a pruned node; the pair did not exist yet). A node that does not answer (a timeout, 429,
 * 5xx, a dropped connection) is an outage, not an answer: that error propagates, and the swap step
 * retries instead of going ahead unguarded.
 */
export async function readEarlierCumulatives(
  context: ChainContext,
  parameters: { now: PairCumulatives; minSeconds: number; maxSeconds: number },
): Promise<PairCumulatives | undefined> {
  const { now } = parameters;
  const minSeconds = BigInt(parameters.minSeconds);
  let lookups = 0;
  const ageOf = async (blockNumber: bigint): Promise<bigint> => {
    lookups++;
    const block = await context.publicClient.getBlock({ blockNumber });
    return now.timestamp - block.timestamp;
  };
  try {
    if (now.blockNumber === 0n) return undefined;
    // The last hundred blocks' rate gives the first step back.
    const sample = now.blockNumber < 100n ? now.blockNumber : 100n;
    const sampleAge = await ageOf(now.blockNumber - sample);
    let step = sampleAge > 0n ? (minSeconds * sample + sampleAge - 1n) / sampleAge : sample;
    // `recent` is known younger than minSeconds; find an `older` one at least that old.
    let recent = now.blockNumber;
    let older: { number: bigint; age: bigint } | undefined;
    while (!older) {
      if (lookups >= MAX_LOOKUPS) return undefined;
      const candidate = now.blockNumber > step ? now.blockNumber - step : 0n;
      const age = await ageOf(candidate);
      if (age >= minSeconds) older = { number: candidate, age };
      else if (candidate === 0n) return undefined;
      else {
        recent = candidate;
        step *= 2n;
      }
    }
    // Bisect to the newest block at least minSeconds old.
    while (recent - older.number > 1n) {
      if (lookups >= MAX_LOOKUPS) {
        // An older start than the newest one: still an average over at least minSeconds.
        log.warn("price average: block search stopped at its lookup budget", {
          pair: now.pair,
          blockNumber: older.number.toString(),
          ageSeconds: older.age.toString(),
        });
        break;
      }
      const middle: bigint = (older.number + recent) / 2n;
      const age = await ageOf(middle);
      if (age >= minSeconds) older = { number: middle, age };
      else recent = middle;
    }
    if (older.age > BigInt(parameters.maxSeconds)) return undefined;
    return await readPairCumulatives(context, { pair: now.pair, blockNumber: older.number });
  } catch (error) {
    if (isRpcUnavailable(error)) throw error;
    // The node answered that it has no such state (pruned, or no pair there yet): no average, as
    // with no observation; said in the log, since the swap then has its slippage floor only.
    log.warn("price average: the node has no earlier state of the pair", { pair: now.pair, error });
    return undefined;
  }
}
