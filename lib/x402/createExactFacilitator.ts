import { x402Facilitator } from "@x402/core/facilitator";
import type { Network } from "@x402/core/types";
import { toFacilitatorEvmSigner } from "@x402/evm";
import { registerExactEvmScheme } from "@x402/evm/exact/facilitator";
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  type LocalAccount,
  type Transport,
} from "viem";

export interface CreateExactFacilitatorParameters {
  chain: Chain;
  transport: Transport;
  /** The account that submits settlements and pays their gas (give it a nonce manager). */
  account: LocalAccount;
}

/**
 * The official @x402/evm "exact" facilitator on one chain: verifies EIP-3009 authorizations and
 * settles them on chain from `account`, through viem clients adapted to the signer @x402/evm asks for.
 */
export function createExactFacilitator(
  parameters: CreateExactFacilitatorParameters,
): x402Facilitator {
  const { chain, transport, account } = parameters;
  // Both callers settle on a devnet, whose blocks are mined at once: poll receipts every 50 ms.
  const pollingInterval = 50;
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  const walletClient = createWalletClient({ chain, transport, account, pollingInterval });
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    getCode: (args) => publicClient.getCode(args),
    readContract: (args) =>
      publicClient.readContract(args as Parameters<typeof publicClient.readContract>[0]),
    verifyTypedData: (args) =>
      publicClient.verifyTypedData(args as Parameters<typeof publicClient.verifyTypedData>[0]),
    writeContract: (args) =>
      walletClient.writeContract(args as Parameters<typeof walletClient.writeContract>[0]),
    sendTransaction: (args) => walletClient.sendTransaction(args),
    waitForTransactionReceipt: (args) => publicClient.waitForTransactionReceipt(args),
  });
  const facilitator = new x402Facilitator();
  registerExactEvmScheme(facilitator, { signer, networks: `eip155:${chain.id}` as Network });
  return facilitator;
}
