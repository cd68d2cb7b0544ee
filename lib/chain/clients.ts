import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getConfig, type NetworkName } from "../config.js";
import { chainFor, devnetRpcUrl } from "./chains.js";
import { devnetRoleAccount } from "./devnetConstants.js";
import { ChainUnavailableError } from "./errors.js";
import { getNetwork, type NetworkInfo } from "./registry.js";

/** Everything a chain action needs: clients bound to one network and the agent account. */
export interface ChainContext {
  network: NetworkName;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  /** The agent wallet (a local account: signs in process, never exposes its key). */
  account: Account;
  registry: NetworkInfo;
}

export interface CreateChainContextParameters {
  network: NetworkName;
  rpcUrl?: string;
  /** Agent key; on the devnet it defaults to anvil account 1. Never logged, never put in an error. */
  privateKey?: `0x${string}`;
  /** Receipt polling interval (ms); the devnet mines instantly, so it polls fast. */
  pollingInterval?: number;
}

/** Builds a ChainContext from explicit parameters (tests, scripts, other wallets). */
export function createChainContext(parameters: CreateChainContextParameters): ChainContext {
  const { network } = parameters;
  const rpcUrl = parameters.rpcUrl;
  const privateKey =
    parameters.privateKey ??
    (network === "devnet" ? devnetRoleAccount("agent").privateKey : undefined);
  if (!privateKey) {
    // Missing configuration: no retry fixes it.
    throw new ChainUnavailableError(`AGENT_PRIVATE_KEY is required on ${network}`, {
      kind: "fatal",
      metaMessages: ["Set AGENT_PRIVATE_KEY to the agent wallet's key (0x + 64 hex digits)."],
    });
  }
  const chain = chainFor(network, rpcUrl);
  const pollingInterval = parameters.pollingInterval ?? (network === "devnet" ? 50 : 1_000);
  const transport = http(rpcUrl ?? chain.rpcUrls.default.http[0], {
    retryCount: 2,
    timeout: 20_000,
  });
  const account = privateKeyToAccount(privateKey);
  return {
    network,
    chain,
    publicClient: createPublicClient({
      chain,
      transport,
      pollingInterval,
      batch: { multicall: false },
    }),
    walletClient: createWalletClient({ chain, transport, account, pollingInterval }),
    account,
    registry: getNetwork(network),
  };
}

let cached: ChainContext | undefined;

/**
 * The process-wide chain context from configuration: PAYGENT_NETWORK, RPC_URL (devnet default
 * http://127.0.0.1:DEVNET_PORT) and AGENT_PRIVATE_KEY (devnet default: anvil account 1).
 */
export function getChainContext(): ChainContext {
  if (cached) return cached;
  const config = getConfig();
  const network = config.PAYGENT_NETWORK;
  cached = createChainContext({
    network,
    rpcUrl: config.RPC_URL ?? (network === "devnet" ? devnetRpcUrl(config.DEVNET_PORT) : undefined),
    privateKey: config.AGENT_PRIVATE_KEY as `0x${string}` | undefined,
  });
  return cached;
}

/** Forgets the cached context (tests, config reloads). */
export function resetChainContext(): void {
  cached = undefined;
}
