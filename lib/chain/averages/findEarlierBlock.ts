import type { ChainContext } from "../clients.js";

/** Block lookups one search may make (each is one RPC call). */
const MAX_LOOKUPS = 24;

/** A block found by findEarlierBlock, with its age relative to the block searched from. */
export interface EarlierBlock {
  number: bigint;
  /** Seconds between its timestamp and the timestamp of the block searched from. */
  age: bigint;
  /** Set when the lookup budget ran out before the bisection did: an older block than the newest. */
  budgetSpent?: true;
}

/**
 * The newest block at least `minSeconds` older than `from`, read from the chain: steps back from
 * the chain's recent block rate, doubling, then bisects. Undefined when no block is that old (a
 * young chain) or the budget of lookups runs out before one is found. Each lookup is one
 * `eth_getBlockByNumber`; errors propagate (readEarlierCumulatives tells outages from answers).
 */
export async function findEarlierBlock(
  context: ChainContext,
  parameters: { from: { blockNumber: bigint; timestamp: bigint }; minSeconds: number },
): Promise<EarlierBlock | undefined> {
  const { from } = parameters;
  const minSeconds = BigInt(parameters.minSeconds);
  let lookups = 0;
  const ageOf = async (blockNumber: bigint): Promise<bigint> => {
    lookups++;
    const block = await context.publicClient.getBlock({ blockNumber });
    return from.timestamp - block.timestamp;
  };
  if (from.blockNumber === 0n) return undefined;
  // The last hundred blocks' rate gives the first step back.
  const sample = from.blockNumber < 100n ? from.blockNumber : 100n;
  const sampleAge = await ageOf(from.blockNumber - sample);
  let step = sampleAge > 0n ? (minSeconds * sample + sampleAge - 1n) / sampleAge : sample;
  // `recent` is known younger than minSeconds; find an `older` one at least that old.
  let recent = from.blockNumber;
  let older: EarlierBlock | undefined;
  while (!older) {
    if (lookups >= MAX_LOOKUPS) return undefined;
    const candidate = from.blockNumber > step ? from.blockNumber - step : 0n;
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
    // An older start than the newest one is still an average over at least minSeconds.
    if (lookups >= MAX_LOOKUPS) return { ...older, budgetSpent: true };
    const middle: bigint = (older.number + recent) / 2n;
    const age = await ageOf(middle);
    if (age >= minSeconds) older = { number: middle, age };
    else recent = middle;
  }
  return older;
}
