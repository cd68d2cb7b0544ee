import type { ChainContext } from "../chain/clients.js";
import { TransactionPendingError } from "../chain/errors.js";
import { isErrorNamed } from "../errors/index.js";
import type { CostItem } from "../runs/cost.js";
import { wakeTokens } from "../runs/wake/wakes.js";
import type { ActionOutcome } from "./types.js";
import { usdValue } from "./usdValue.js";

/**
 * Chain actions wait for their receipt inline briefly (CHAIN_INLINE_WAIT_MS); a slow chain turns
 * into a hook wait on chain:<hash> instead of a failure, since the transaction may still be mined.
 */
export async function waitingOnChain(send: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
  try {
    return await send();
  } catch (error) {
    if (
      error instanceof TransactionPendingError ||
      isErrorNamed(error, "TransactionPendingError")
    ) {
      const hash = (error as TransactionPendingError).hash;
      return {
        output: { pending: hash },
        txHashes: [hash],
        cost: [],
        waitFor: { token: wakeTokens.chain(hash) },
      };
    }
    throw error;
  }
}

/** The gas a transaction cost, in CRO base units, with its USD value when a price is known. */
export async function gasCost(chain: ChainContext, wei: string | bigint): Promise<CostItem> {
  const amount = BigInt(wei);
  const usd = await usdValue(chain, "CRO", amount);
  return { kind: "gas", unit: "CRO", amount: amount.toString(), ...(usd ? { usd } : {}) };
}
