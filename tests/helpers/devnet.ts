import { createServer } from "node:net";
import {
  type DeployFixturesReturnType,
  deployFixtures,
} from "../../lib/chain/devnet/deployFixtures.js";
import { type DevnetAccount, devnetAccount } from "../../lib/chain/devnet/devnetAccounts.js";
import { DEVNET_CHAIN_ID, startAnvil } from "../../lib/chain/devnet/startAnvil.js";

export interface TestDevnet {
  rpcUrl: string;
  chainId: number;
  addresses: DeployFixturesReturnType;
  /** anvil accounts by role; the agent holds CRO, USDC and VVS, the merchant only CRO. */
  accounts: {
    funder: DevnetAccount;
    agent: DevnetAccount;
    facilitator: DevnetAccount;
    merchant: DevnetAccount;
    deployer: DevnetAccount;
  };
  stop(): Promise<void>;
}

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh in-memory anvil on a free port with the fixtures deployed (about a second). The anvil is a
 * child of the test process and is killed when the test process exits, even without stop().
 */
export async function startTestDevnet(): Promise<TestDevnet> {
  const anvil = await startAnvil({
    port: await freePort(),
    chainId: DEVNET_CHAIN_ID,
    detached: false,
  });
  const killOnExit = () => {
    try {
      process.kill(anvil.pid, "SIGKILL");
    } catch {}
  };
  process.once("exit", killOnExit);
  try {
    const addresses = await deployFixtures({ rpcUrl: anvil.rpcUrl });
    return {
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      addresses,
      accounts: {
        funder: devnetAccount("funder"),
        agent: devnetAccount("agent"),
        facilitator: devnetAccount("facilitator"),
        merchant: devnetAccount("merchant"),
        deployer: devnetAccount("deployer"),
      },
      async stop() {
        process.off("exit", killOnExit);
        await anvil.stop();
      },
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
