import { formatUnits, zeroAddress } from "viem";
import { factoryAbi, pairAbi } from "../chain/abis.js";
import { getChainContext } from "../chain/clients.js";
import { findToken } from "../chain/registry.js";
import { ServiceUnavailableError } from "../errors/index.js";

/** The demo market-data resource's content: the live CRO/USDC pool, read per request. */
export interface MarketData {
  pair: "CRO/USDC";
  network: string;
  dex: string;
  pool: string;
  /** USDC per CRO, decimal string from the pool's reserves (no float arithmetic). */
  price: string;
  reserves: { cro: string; usdc: string };
  blockNumber: string;
  timestamp: string;
}

/** Reads the CRO/USDC pool of the configured network's DEX. */
export async function readMarketData(): Promise<MarketData> {
  const { publicClient, registry, network } = getChainContext();
  const usdc = findToken(network, "USDC");
  if (!registry.dex || !usdc || usdc.address === "native") {
    throw new ServiceUnavailableError(`No CRO/USDC pool is known on ${network}`);
  }
  const pool = await publicClient.readContract({
    address: registry.dex.factory,
    abi: factoryAbi,
    functionName: "getPair",
    args: [registry.wrappedNative, usdc.address],
  });
  if (pool === zeroAddress) throw new ServiceUnavailableError("The CRO/USDC pool does not exist");
  const [token0, [reserve0, reserve1], block] = await Promise.all([
    publicClient.readContract({ address: pool, abi: pairAbi, functionName: "token0" }),
    publicClient.readContract({ address: pool, abi: pairAbi, functionName: "getReserves" }),
    publicClient.getBlock(),
  ]);
  const croIsToken0 = token0.toLowerCase() === registry.wrappedNative.toLowerCase();
  const cro = croIsToken0 ? reserve0 : reserve1;
  const usdcReserve = croIsToken0 ? reserve1 : reserve0;
  if (cro === 0n) throw new ServiceUnavailableError("The CRO/USDC pool is empty");
  // USDC base units per whole CRO (18 decimals), kept as an integer until formatting.
  const pricePerCro = (usdcReserve * 10n ** 18n) / cro;
  return {
    pair: "CRO/USDC",
    network,
    dex: registry.dex.name,
    pool,
    price: formatUnits(pricePerCro, usdc.decimals),
    reserves: { cro: formatUnits(cro, 18), usdc: formatUnits(usdcReserve, usdc.decimals) },
    blockNumber: block.number.toString(),
    timestamp: new Date(Number(block.timestamp) * 1000).toISOString(),
  };
}
