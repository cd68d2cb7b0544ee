import { createRequire } from "node:module";
import type { Abi, Hex } from "viem";

/** A compiled contract: ABI plus creation (and, for our own contracts, runtime) bytecode. */
export interface ContractArtifact {
  abi: Abi;
  bytecode: Hex;
  deployedBytecode?: Hex;
}

const require = createRequire(import.meta.url);

function load(specifier: string): ContractArtifact {
  const raw = require(specifier) as { abi: Abi; bytecode: string; deployedBytecode?: string };
  const hex = (value: string): Hex => (value.startsWith("0x") ? value : `0x${value}`) as Hex;
  return {
    abi: raw.abi,
    bytecode: hex(raw.bytecode),
    deployedBytecode: raw.deployedBytecode ? hex(raw.deployedBytecode) : undefined,
  };
}

/**
 * Devnet fixture artifacts. Uniswap V2 builds (GPL-3.0) and the Gnosis Conditional Tokens / FPMM
 * builds (LGPL-3.0, vendored from their registry packages in contracts/vendor/gnosis) come unpatched: devnet/test fixtures only, never
 * shipped runtime code. Ours come from contracts/artifacts.
 */
export function fixtureArtifacts(): Record<
  | "wcro"
  | "factory"
  | "router"
  | "paygentUsd"
  | "devToken"
  | "multicall3"
  | "conditionalTokens"
  | "fpmmFactory",
  ContractArtifact
> {
  return {
    wcro: load("@uniswap/v2-periphery/build/WETH9.json"),
    factory: load("@uniswap/v2-core/build/UniswapV2Factory.json"),
    router: load("@uniswap/v2-periphery/build/UniswapV2Router02.json"),
    paygentUsd: load("../../../contracts/artifacts/PaygentUSD.json"),
    devToken: load("../../../contracts/artifacts/DevToken.json"),
    multicall3: load("../../../contracts/artifacts/Multicall3.json"),
    // Gnosis Conditional Tokens and its fixed-product market maker (LGPL-3.0): devnet fixtures only;
    // runtime code uses the ABI fragments in lib/markets/abis.ts.
    conditionalTokens: load("../../../contracts/vendor/gnosis/ConditionalTokens.json"),
    fpmmFactory: load("../../../contracts/vendor/gnosis/FixedProductMarketMakerFactory.json"),
  };
}
