import { type Address, type PublicClient, parseAbi } from "viem";
import type { TokenDomain } from "./createPaymentHeader.js";
import type { PaymentRequirement } from "./requirements.js";

const domainAbi = parseAbi([
  "function name() view returns (string)",
  "function version() view returns (string)",
]);

/**
 * The EIP-712 domain to sign with: the server's `extra` when it names both fields, otherwise the
 * token's own name() and version() (Cronos servers often omit them, and a wrong version makes
 * the facilitator reject the signature).
 */
export async function readTokenDomain(
  publicClient: PublicClient,
  requirement: PaymentRequirement,
): Promise<TokenDomain> {
  const { name, version } = requirement.extra;
  if (name && version) return { name, version };
  const asset: Address = requirement.asset;
  const [onChainName, onChainVersion] = await Promise.all([
    name ?? publicClient.readContract({ address: asset, abi: domainAbi, functionName: "name" }),
    version ??
      publicClient.readContract({ address: asset, abi: domainAbi, functionName: "version" }),
  ]);
  return { name: onChainName, version: onChainVersion };
}
