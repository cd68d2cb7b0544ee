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
 * Devnet fixture artifacts. Uniswap V2 builds come unpatched from the registry packages (GPL-3.0:
 * devnet/test fixtures only, never shipped runtime code); ours come from contracts/artifacts.
 */
export function fixtureArtifacts(): Record<
  "wcro" | "factory" | "router" | "paygentUsd" | "devToken" | "multicall3",
  ContractArtifact
> {
  return {
    wcro: load("@uniswap/v2-periphery/build/WETH9.json"),
    factory: load("@uniswap/v2-core/build/UniswapV2Factory.json"),
    router: load("@uniswap/v2-periphery/build/UniswapV2Router02.json"),
    paygentUsd: load("../../../contracts/artifacts/PaygentUSD.json"),
    devToken: load("../../../contracts/artifacts/DevToken.json"),
    multicall3: load("../../../contracts/artifacts/Multicall3.json"),
  };
}
