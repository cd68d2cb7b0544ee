import { type Address, erc20Abi, formatUnits, parseAbi } from "viem";
import type { ChainContext } from "./clients.js";
import { requireToken, type TokenInfo } from "./registry.js";

const multicall3Abi = parseAbi([
  "function getEthBalance(address addr) view returns (uint256 balance)",
  "function getBlockNumber() view returns (uint256 blockNumber)",
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
 * place Multicall3 at its canonical address, so the same path runs everywhere). The block number
 * comes from the same call (Multicall3's getBlockNumber): one RPC, and never viem's cached block
 * number, which may be older than a transaction this run just saw land. An eth_call at "latest"
 * runs in the latest block's context on anvil (checked) and on Ethermint-based chains like Cronos.
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
  const [blockNumber, ...amounts] = (await context.publicClient.multicall({
    multicallAddress: context.registry.multicall3,
    allowFailure: false,
    blockTag: "latest",
    contracts: [
      {
        address: context.registry.multicall3,
        abi: multicall3Abi,
        functionName: "getBlockNumber",
        args: [],
      },
      ...tokens.map((token) =>
        token.address === "native"
          ? {
              address: context.registry.multicall3,
              abi: multicall3Abi,
              functionName: "getEthBalance",
              args: [address],
            }
          : { address: token.address, abi: erc20Abi, functionName: "balanceOf", args: [address] },
      ),
    ],
  })) as bigint[];
  return {
    address,
    blockNumber: blockNumber!.toString(),
    balances: tokens.map((token, index) => {
      const amount = amounts[index]!;
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
