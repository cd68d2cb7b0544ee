import { type Address, erc20Abi, formatUnits, parseAbi } from "viem";
import type { ChainContext } from "./clients.js";
import { requireToken, type TokenInfo } from "./registry.js";

const multicall3Abi = parseAbi([
  "function getEthBalance(address addr) view returns (uint256 balance)",
]);

export interface GetBalancesParameters {
  /** Whose balances; defaults to the agent wallet. */
  address?: Address;
  /** Symbols, aliases or addresses from the network's registry (e.g. ["CRO", "USDC"]). */
  tokens: readonly string[];
}

/** One token balance, in base units and as an exact decimal string for display. */
export interface TokenBalance {
  symbol: string;
  address: Address | "native";
  decimals: number;
  /** Base units as a decimal string. */
  amount: string;
  formatted: string;
}

export interface GetBalancesReturnType {
  address: Address;
  blockNumber: string;
  balances: TokenBalance[];
}

/**
 * Native and ERC-20 balances read in one Multicall3 batch at a single block (the devnet fixtures
 * place Multicall3 at its canonical address, so the same path runs everywhere).
 */
export async function getBalances(
  context: ChainContext,
  parameters: GetBalancesParameters,
): Promise<GetBalancesReturnType> {
  const address = parameters.address ?? context.account.address;
  const tokens: TokenInfo[] = [];
  for (const wanted of parameters.tokens) {
    const token = requireToken(context.network, wanted);
    if (!tokens.includes(token)) tokens.push(token);
  }
  const blockNumber = await context.publicClient.getBlockNumber();
  const amounts = await context.publicClient.multicall({
    multicallAddress: context.registry.multicall3,
    allowFailure: false,
    blockNumber,
    contracts: tokens.map((token) =>
      token.address === "native"
        ? {
            address: context.registry.multicall3,
            abi: multicall3Abi,
            functionName: "getEthBalance",
            args: [address],
          }
        : { address: token.address, abi: erc20Abi, functionName: "balanceOf", args: [address] },
    ),
  });
  return {
    address,
    blockNumber: blockNumber.toString(),
    balances: tokens.map((token, index) => {
      const amount = amounts[index] as bigint;
      return {
        symbol: token.symbol,
        address: token.address,
        decimals: token.decimals,
        amount: amount.toString(),
        formatted: formatUnits(amount, token.decimals),
      };
    }),
  };
}
