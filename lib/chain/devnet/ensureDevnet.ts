import { type DeployFixturesReturnType, deployFixtures } from "./deployFixtures.js";
import { DEVNET_CHAIN_ID, startAnvil } from "./startAnvil.js";

export interface EnsureDevnetParameters {
  port: number;
  /** Where state.json, anvil.pid and anvil.log live; the chain persists across host restarts. */
  stateDir: string;
  /** How often the last good state is refreshed (ms; startAnvil's keepStateEveryMs). */
  keepStateEveryMs?: number;
}

export interface EnsureDevnetReturnType {
  rpcUrl: string;
  chainId: number;
  addresses: DeployFixturesReturnType;
  pid: number;
  /** True when an anvil left running by an earlier host was reused. */
  reused: boolean;
  /** Stops anvil (state is dumped on exit). A host that wants the chain to outlive it simply does not call this. */
  stop(): Promise<void>;
}

/**
 * Brings up the local devnet for the dev host: reuses or starts a detached, persisted anvil and makes
 * sure the fixtures exist (idempotent, so a restart costs a few reads).
 */
export async function ensureDevnet(
  parameters: EnsureDevnetParameters,
): Promise<EnsureDevnetReturnType> {
  const anvil = await startAnvil({
    port: parameters.port,
    stateDir: parameters.stateDir,
    chainId: DEVNET_CHAIN_ID,
    detached: true,
    ...(parameters.keepStateEveryMs ? { keepStateEveryMs: parameters.keepStateEveryMs } : {}),
  });
  const addresses = await deployFixtures({ rpcUrl: anvil.rpcUrl });
  // Freshly deployed fixtures are kept as the last good state at once (one dump over RPC): a kill
  // of anvil in the middle of a later dump then falls back to a chain that has them.
  if (addresses.sent > 0) await anvil.keepState();
  return {
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    addresses,
    pid: anvil.pid,
    reused: anvil.reused,
    stop: anvil.stop,
  };
}
