import { type Chain, defineChain } from "viem";
import type { NetworkName } from "../config.js";
import { DEVNET_CHAIN_ID, MULTICALL3_ADDRESS } from "./devnetConstants.js";

// Cronos and its testnet as viem defines them (viem/_esm/chains/definitions). They are written out
// because "viem/chains" is one barrel of every chain viem knows: importing it costs 250-350 ms at
// every process start (a host, a Vercel function's cold start, each test file).
// tests/lib/chain/chains.test.ts holds them equal to viem's.
export const cronos: Chain = defineChain({
  id: 25,
  name: "Cronos Mainnet",
  nativeCurrency: { decimals: 18, name: "Cronos", symbol: "CRO" },
  rpcUrls: { default: { http: ["https://evm.cronos.org"] } },
  blockExplorers: {
    default: {
      name: "Cronos Explorer",
      url: "https://explorer.cronos.org",
      apiUrl: "https://explorer-api.cronos.org/mainnet/api",
    },
  },
  contracts: { multicall3: { address: MULTICALL3_ADDRESS, blockCreated: 1963112 } },
});

export const cronosTestnet: Chain = defineChain({
  id: 338,
  name: "Cronos Testnet",
  nativeCurrency: { decimals: 18, name: "CRO", symbol: "tCRO" },
  rpcUrls: { default: { http: ["https://evm-t3.cronos.org"] } },
  blockExplorers: {
    default: { name: "Cronos Explorer (Testnet)", url: "https://explorer.cronos.org/testnet" },
  },
  contracts: { multicall3: { address: MULTICALL3_ADDRESS, blockCreated: 10191251 } },
  testnet: true,
});

/** Default RPC of the local devnet for a port. */
export function devnetRpcUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** The local anvil devnet as a viem Chain (native currency CRO, Multicall3 at its canonical address). */
export function devnetChain(rpcUrl: string): Chain {
  return defineChain({
    id: DEVNET_CHAIN_ID,
    name: "Paygent devnet",
    nativeCurrency: { name: "Cronos", symbol: "CRO", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    contracts: { multicall3: { address: MULTICALL3_ADDRESS } },
    testnet: true,
  });
}

/** The viem Chain for a network; `rpcUrl` overrides the chain's default RPC. */
export function chainFor(network: NetworkName, rpcUrl?: string): Chain {
  if (network === "devnet") return devnetChain(rpcUrl ?? devnetRpcUrl(8545));
  const base = network === "cronos" ? cronos : cronosTestnet;
  if (!rpcUrl) return base;
  return { ...base, rpcUrls: { ...base.rpcUrls, default: { http: [rpcUrl] } } };
}
