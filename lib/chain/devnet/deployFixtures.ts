import {
  type Address,
  createWalletClient,
  type Hash,
  http,
  maxUint256,
  parseEther,
  parseUnits,
  publicActions,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { factoryAbi, routerAbi } from "../abis.js";
import { devnetChain } from "../chains.js";
import { DevnetError } from "../errors.js";
import { fixtureArtifacts } from "./artifacts.js";
import { devnetAccount } from "./devnetAccounts.js";
import { type DevnetAddresses, devnetAddresses, fixtureNonce } from "./devnetAddresses.js";
import { devnetMarkets } from "./devnetMarkets.js";
import { marketFixtureSteps } from "./marketFixtureSteps.js";

/** Pool sizes: 1 CRO = 0.10 USDC and 1 CRO = 10,000 VVS, deep enough that test swaps barely move them. */
export const fixturePools = {
  croUsdc: { cro: parseEther("2000000"), usdc: parseUnits("200000", 6) },
  vvsCro: { vvs: parseEther("1000000000"), cro: parseEther("100000") },
} as const;

/** What the agent wallet receives from the fixtures (it also starts with anvil's 10,000 CRO). */
export const fixtureAgentFunding = {
  usdc: parseUnits("10000", 6),
  vvs: parseEther("1000000"),
} as const;

export interface DeployFixturesParameters {
  rpcUrl: string;
  /** Receives the agent funding; defaults to the devnet agent account. */
  agent?: Address;
  /**
   * Stop after this step (tests use it to recreate a devnet persisted by an older version, which
   * the next full run must bring up to date).
   */
  throughStep?: keyof typeof fixtureNonce;
}

export interface DeployFixturesReturnType extends DevnetAddresses {
  pairs: { croUsdc: Address; vvsCro: Address };
  /** Number of fixture transactions sent by this call (0 when everything was already in place). */
  sent: number;
}

/**
 * Deploys the devnet fixtures (WCRO, Uniswap V2 factory and router, Paygent USD, VVS, Multicall3),
 * seeds the CRO/USDC and VVS/CRO pools, funds the agent, and creates the demo prediction markets
 * (ConditionalTokens, FPMM factory, funded markets; see devnetMarkets.ts). Idempotent: steps run from a dedicated
 * deployer in a fixed nonce order, so a step whose nonce the deployer has passed is done, and
 * addresses are the same on every devnet.
 */
export async function deployFixtures(
  parameters: DeployFixturesParameters,
): Promise<DeployFixturesReturnType> {
  const addresses = devnetAddresses();
  const deployerKey = devnetAccount("deployer").privateKey;
  const agent = parameters.agent ?? devnetAccount("agent").address;
  const client = createWalletClient({
    account: privateKeyToAccount(deployerKey),
    chain: devnetChain(parameters.rpcUrl),
    transport: http(parameters.rpcUrl),
  }).extend(publicActions);
  const artifacts = fixtureArtifacts();
  const deadline = maxUint256;
  const { croUsdc, vvsCro } = fixturePools;

  const steps: Record<keyof typeof fixtureNonce, (nonce: number) => Promise<Hash>> = {
    deployWcro: (nonce) => client.deployContract({ ...artifacts.wcro, nonce }),
    deployFactory: (nonce) =>
      client.deployContract({ ...artifacts.factory, args: [addresses.deployer], nonce }),
    deployRouter: (nonce) =>
      client.deployContract({
        ...artifacts.router,
        args: [addresses.factory, addresses.wcro],
        nonce,
      }),
    deployUsdc: (nonce) =>
      client.deployContract({ ...artifacts.paygentUsd, args: [addresses.deployer], nonce }),
    deployVvs: (nonce) =>
      client.deployContract({
        ...artifacts.devToken,
        args: ["VVS Finance", "VVS", addresses.deployer],
        nonce,
      }),
    mintUsdc: (nonce) =>
      client.writeContract({
        address: addresses.usdc,
        abi: artifacts.paygentUsd.abi,
        functionName: "mint",
        args: [addresses.deployer, croUsdc.usdc + fixtureAgentFunding.usdc],
        nonce,
      }),
    mintVvs: (nonce) =>
      client.writeContract({
        address: addresses.vvs,
        abi: artifacts.devToken.abi,
        functionName: "mint",
        args: [addresses.deployer, vvsCro.vvs + fixtureAgentFunding.vvs],
        nonce,
      }),
    approveUsdc: (nonce) =>
      client.writeContract({
        address: addresses.usdc,
        abi: artifacts.paygentUsd.abi,
        functionName: "approve",
        args: [addresses.router, maxUint256],
        nonce,
      }),
    approveVvs: (nonce) =>
      client.writeContract({
        address: addresses.vvs,
        abi: artifacts.devToken.abi,
        functionName: "approve",
        args: [addresses.router, maxUint256],
        nonce,
      }),
    addCroUsdcLiquidity: (nonce) =>
      client.writeContract({
        address: addresses.router,
        abi: routerAbi,
        functionName: "addLiquidityETH",
        args: [
          addresses.usdc,
          croUsdc.usdc,
          croUsdc.usdc,
          croUsdc.cro,
          addresses.deployer,
          deadline,
        ],
        value: croUsdc.cro,
        nonce,
      }),
    addVvsCroLiquidity: (nonce) =>
      client.writeContract({
        address: addresses.router,
        abi: routerAbi,
        functionName: "addLiquidityETH",
        args: [addresses.vvs, vvsCro.vvs, vvsCro.vvs, vvsCro.cro, addresses.deployer, deadline],
        value: vvsCro.cro,
        nonce,
      }),
    fundAgentUsdc: (nonce) =>
      client.writeContract({
        address: addresses.usdc,
        abi: artifacts.paygentUsd.abi,
        functionName: "transfer",
        args: [agent, fixtureAgentFunding.usdc],
        nonce,
      }),
    fundAgentVvs: (nonce) =>
      client.writeContract({
        address: addresses.vvs,
        abi: artifacts.devToken.abi,
        functionName: "transfer",
        args: [agent, fixtureAgentFunding.vvs],
        nonce,
      }),
    ...marketFixtureSteps(client),
  };

  let sent = 0;
  try {
    const startNonce = await client.getTransactionCount({
      address: addresses.deployer,
      blockTag: "pending",
    });
    const pending = (Object.keys(steps) as (keyof typeof fixtureNonce)[])
      .map((name) => ({ name, nonce: fixtureNonce[name] }))
      .filter(
        (step) =>
          step.nonce >= startNonce &&
          (parameters.throughStep === undefined ||
            step.nonce <= fixtureNonce[parameters.throughStep]),
      )
      .sort((a, b) => a.nonce - b.nonce);
    if (pending.length > 0) {
      // The liquidity needs more CRO than anvil's default 10,000; the devnet can simply grant it.
      const needed = croUsdc.cro + vvsCro.cro + parseEther("1000");
      const balance = await client.getBalance({ address: addresses.deployer });
      if (balance < needed)
        await client.request({
          method: "anvil_setBalance" as never,
          params: [addresses.deployer, `0x${needed.toString(16)}`] as never,
        });
    }
    for (const step of pending) {
      const hash = await steps[step.name](step.nonce);
      sent++;
      // Each step depends on the previous one (estimates and allowances), so wait for it.
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      if (receipt.status !== "success")
        throw new DevnetError(`Fixture step ${step.name} reverted (${hash})`);
    }

    const multicallCode = await client.getCode({ address: addresses.multicall3 });
    if (!multicallCode || multicallCode === "0x") {
      await client.request({
        method: "anvil_setCode" as never,
        params: [addresses.multicall3, artifacts.multicall3.deployedBytecode] as never,
      });
    }

    const built = parameters.throughStep === undefined;
    for (const [name, address] of Object.entries({
      router: addresses.router,
      usdc: addresses.usdc,
      vvs: addresses.vvs,
      ...(built
        ? {
            conditionalTokens: addresses.conditionalTokens,
            ...Object.fromEntries(devnetMarkets().map((market) => [market.name, market.fpmm])),
          }
        : {}),
    })) {
      const code = await client.getCode({ address });
      if (!code || code === "0x") {
        throw new DevnetError(`Devnet state is inconsistent: no ${name} contract at ${address}`, {
          metaMessages: [
            "The fixtures deployer was used for something else; delete the devnet state directory and restart.",
          ],
        });
      }
    }
    const [pairCroUsdc, pairVvsCro] = await Promise.all([
      client.readContract({
        address: addresses.factory,
        abi: factoryAbi,
        functionName: "getPair",
        args: [addresses.wcro, addresses.usdc],
      }),
      client.readContract({
        address: addresses.factory,
        abi: factoryAbi,
        functionName: "getPair",
        args: [addresses.wcro, addresses.vvs],
      }),
    ]);
    return { ...addresses, pairs: { croUsdc: pairCroUsdc, vvsCro: pairVvsCro }, sent };
  } catch (error) {
    if (error instanceof DevnetError) throw error;
    throw new DevnetError(`Deploying the devnet fixtures failed after ${sent} transaction(s)`, {
      cause: error,
    });
  }
}
