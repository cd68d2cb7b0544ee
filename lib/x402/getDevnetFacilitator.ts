import type { x402Facilitator } from "@x402/core/facilitator";
import { http } from "viem";
import { nonceManager, privateKeyToAccount } from "viem/accounts";
import { chainFor, devnetRpcUrl } from "../chain/chains.js";
import { devnetRoleAccount } from "../chain/devnetConstants.js";
import { getConfig } from "../config.js";
import { createExactFacilitator } from "./createExactFacilitator.js";

let cached: { key: string; facilitator: x402Facilitator } | undefined;

/**
 * The devnet's own x402 facilitator (the official @x402/evm "exact" mechanism): verifies
 * EIP-3009 authorizations and settles them on chain with FACILITATOR_PRIVATE_KEY (default the
 * anvil facilitator account). One per process and configuration; the nonce manager keeps
 * concurrent settlements from reusing a transaction nonce.
 */
export function getDevnetFacilitator(): x402Facilitator {
  const config = getConfig();
  const rpcUrl = config.RPC_URL ?? devnetRpcUrl(config.DEVNET_PORT);
  const key = config.FACILITATOR_PRIVATE_KEY ?? devnetRoleAccount("facilitator").privateKey;
  const cacheKey = `${rpcUrl}|${key.slice(-8)}`;
  if (cached?.key === cacheKey) return cached.facilitator;

  const facilitator = createExactFacilitator({
    chain: chainFor("devnet", rpcUrl),
    transport: http(rpcUrl, { retryCount: 1, timeout: 20_000 }),
    account: privateKeyToAccount(key as `0x${string}`, { nonceManager }),
  });
  cached = { key: cacheKey, facilitator };
  return facilitator;
}

/**
 * The official facilitator mechanism starts its asset-contract check (eth_getCode) in the
 * background and abandons it when the signature check fails first; if that RPC call fails too,
 * its rejection is never handled and Node ends the process. On the devnet host an RPC blip during
 * a verification thereby killed the whole host (found by tests/long/chaos.test.ts). True for
 * exactly that rejection, so the host can log it and keep running; anything else still ends it.
 */
export function isAbandonedAssetCheck(reason: unknown): boolean {
  return (
    reason instanceof Error &&
    reason.message.startsWith("failed to check whether asset is a contract")
  );
}
