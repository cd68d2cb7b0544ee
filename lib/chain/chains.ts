import { type Chain, defineChain } from "viem";
import { cronos, cronosTestnet } from "viem/chains";
import type { NetworkName } from "../config.js";
import { DEVNET_CHAIN_ID, MULTICALL3_ADDRESS } from "./devnetConstants.js";

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
