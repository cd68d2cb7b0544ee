import { type Address, erc20Abi, parseUnits } from "viem";
import type { ChainContext } from "../chain/clients.js";
import { InsufficientBalanceError } from "../chain/errors.js";
import { requireToken } from "../chain/registry.js";
import { getConfig } from "../config.js";

/** Gas kept back beside the configured floor: enough for a swap (with the sender's 1.3× headroom). */
const reserveGas = 500_000n;

/** What "all" of a token is: the wallet's balance minus what stays behind for gas. */
export interface WholeBalance {
  token: string;
  /** The wallet's balance (base units). */
  balance: bigint;
  /** Kept back for gas: 0 for ERC-20s; for the gas token the larger of GAS_RESERVE_NATIVE and 500k gas at the current fee. */
  reserve: bigint;
  /** balance − reserve: what an "all" action moves. */
  amount: bigint;
}

/** Parameters of readWholeBalance. */
export interface ReadWholeBalanceParameters {
  token: string;
}

/**
 * Reads "all my <token>" from the chain: the agent wallet's whole ERC-20 balance, or its native
 * balance minus a gas reserve (a transfer of every last wei could not pay for itself). Refuses
 * (InsufficientBalanceError, nothing sent) when nothing would be left to move.
 */
export async function readWholeBalance(
  chain: ChainContext,
  parameters: ReadWholeBalanceParameters,
): Promise<WholeBalance> {
  const token = requireToken(chain.network, parameters.token);
  const owner = chain.account.address;
  let balance: bigint;
  let reserve = 0n;
  if (token.address === "native") {
    const [native, fee] = await Promise.all([
      chain.publicClient.getBalance({ address: owner }),
      feePerGas(chain),
    ]);
    balance = native;
    const floor = parseUnits(getConfig().GAS_RESERVE_NATIVE, token.decimals);
    const estimated = reserveGas * fee;
    reserve = estimated > floor ? estimated : floor;
  } else {
    balance = await chain.publicClient.readContract({
      address: token.address as Address,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [owner],
    });
  }
  if (balance <= reserve) {
    // "required" is one base unit above the reserve: the least that leaves something to move.
    throw new InsufficientBalanceError({
      token: token.symbol,
      required: reserve + 1n,
      available: balance,
    });
  }
  return { token: token.symbol, balance, reserve, amount: balance - reserve };
}

async function feePerGas(chain: ChainContext): Promise<bigint> {
  try {
    const fees = await chain.publicClient.estimateFeesPerGas();
    return fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
  } catch {
    // Legacy-only nodes answer eth_gasPrice but not the EIP-1559 fee history.
    return chain.publicClient.getGasPrice();
  }
}
