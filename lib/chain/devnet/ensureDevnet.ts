import { type DeployFixturesReturnType, deployFixtures } from "./deployFixtures.js";
import { DEVNET_CHAIN_ID, startAnvil } from "./startAnvil.js";

export interface EnsureDevnetParameters {
  port: number;
  /** Where state.json, anvil.pid and anvil.log live; the chain persists across host restarts. */
  stateDir: string;
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
  });
  const addresses = await deployFixtures({ rpcUrl: anvil.rpcUrl });
  return {
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    addresses,
    pid: anvil.pid,
    reused: anvil.reused,
    stop: anvil.stop,
  };
}
