import type { ChainContext } from "../clients.js";
import { type PairCumulatives, readPairCumulatives } from "./readPairCumulatives.js";

/** Block lookups one search may make (each is one RPC call). */
const MAX_LOOKUPS = 24;

/**
 * The pair's oracle at the newest block at least `minSeconds` before `now`, read from the chain's
 * own state, when that block is at most `maxSeconds` back: what serves a swap when no stored
 * observation is in that window (on Vercel the background checks run once a day). Steps back from
 * the chain's recent block rate, doubling, then bisects to the newest such block. Undefined when no
 * block is in the window (a young or quiet chain) or the node no longer has that state (a pruned
 * node; the pair did not exist yet).
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
    while (recent - older.number > 1n && lookups < MAX_LOOKUPS) {
      const middle: bigint = (older.number + recent) / 2n;
      const age = await ageOf(middle);
      if (age >= minSeconds) older = { number: middle, age };
      else recent = middle;
    }
    if (older.age > BigInt(parameters.maxSeconds)) return undefined;
    return await readPairCumulatives(context, { pair: now.pair, blockNumber: older.number });
  } catch {
    // The state is gone from this node (or never held the pair): no earlier reading, as with no
    // observation. The reading of now came from the same node moments ago, so this is not an outage.
    return undefined;
  }
}
