import { createTestClient, createWalletClient, http, maxUint256, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { routerAbi } from "../../lib/chain/abis.js";
import type { ChainContext } from "../../lib/chain/clients.js";
import { devnetAccount } from "../../lib/chain/devnet/devnetAccounts.js";
import { devnetAddresses } from "../../lib/chain/devnet/devnetAddresses.js";

/**
 * Pushes the devnet's CRO/USDC pool down as anyone with enough CRO (or a flash loan) could: the
 * deployer account is given `cro` plus gas and sells it all for USDC through the router. The pool
 * holds 2,000,000 CRO against 200,000 USDC, so selling 2,000,000 CRO takes CRO from $0.10 to about
 * $0.025. Returns once the swap is mined and the chain client's block cache has moved past it.
 */
export async function sellCroIntoPool(
  chain: ChainContext,
  rpcUrl: string,
  cro: bigint,
): Promise<void> {
  const seller = devnetAccount("deployer");
  const addresses = devnetAddresses();
  await createTestClient({ mode: "anvil", transport: http(rpcUrl) }).setBalance({
    address: seller.address,
    value: cro + parseEther("1000"),
  });
  const hash = await createWalletClient({
    account: privateKeyToAccount(seller.privateKey),
    chain: chain.publicClient.chain,
    transport: http(rpcUrl),
  }).writeContract({
    address: addresses.router,
    abi: routerAbi,
    functionName: "swapExactETHForTokens",
    args: [0n, [addresses.wcro, addresses.usdc], seller.address, maxUint256],
    value: cro,
  });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`the CRO sale reverted (${hash})`);
  // The chain client caches the block number for its polling interval (50 ms on the devnet): wait
  // until it sees the sale's block, however loaded the machine.
  while ((await chain.publicClient.getBlockNumber()) < receipt.blockNumber)
    await new Promise((resolve) => setTimeout(resolve, 20));
}
