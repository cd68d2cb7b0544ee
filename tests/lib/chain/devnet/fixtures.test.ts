import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  http,
  parseEventLogs,
  parseSignature,
  parseUnits,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eip3009Abi, pairAbi } from "../../../../lib/chain/abis.js";
import { devnetChain } from "../../../../lib/chain/chains.js";
import { createChainContext } from "../../../../lib/chain/clients.js";
import {
  deployFixtures,
  fixtureAgentFunding,
  fixturePools,
} from "../../../../lib/chain/devnet/deployFixtures.js";
import { devnetAddresses } from "../../../../lib/chain/devnet/devnetAddresses.js";
import { devnetMarkets } from "../../../../lib/chain/devnet/devnetMarkets.js";
import { DEVNET_CHAIN_ID, startAnvil } from "../../../../lib/chain/devnet/startAnvil.js";
import { fpmmAbi, fpmmFactoryAbi } from "../../../../lib/markets/abis.js";
import { listMarkets } from "../../../../lib/markets/listMarkets.js";
import { freePort, startTestDevnet, type TestDevnet } from "../../../helpers/devnet.js";

let devnet: TestDevnet;
beforeAll(async () => {
  devnet = await startTestDevnet();
});
afterAll(async () => {
  await devnet?.stop();
});

describe("deployFixtures", () => {
  test("behavior: addresses are the deterministic ones the registry computes", () => {
    const expected = devnetAddresses();
    expect(devnet.addresses).toMatchObject(expected);
    expect(devnet.addresses.pairs.croUsdc).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  test("behavior: a second run sends nothing", async () => {
    const again = await deployFixtures({ rpcUrl: devnet.rpcUrl });
    expect(again.sent).toBe(0);
    expect(again.pairs).toEqual(devnet.addresses.pairs);
  });

  test("behavior: agent funded and CRO/USDC pool priced at 0.10 USDC per CRO", async () => {
    const client = createPublicClient({
      chain: devnetChain(devnet.rpcUrl),
      transport: http(devnet.rpcUrl),
    });
    const usdc = await client.readContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [devnet.accounts.agent.address],
    });
    expect(usdc).toBe(fixtureAgentFunding.usdc);
    const [reserve0, reserve1] = await client.readContract({
      address: devnet.addresses.pairs.croUsdc,
      abi: pairAbi,
      functionName: "getReserves",
    });
    expect([reserve0, reserve1].sort()).toEqual(
      [fixturePools.croUsdc.cro, fixturePools.croUsdc.usdc].sort(),
    );
    const multicall = await client.getCode({ address: devnet.addresses.multicall3 });
    expect(multicall?.length).toBeGreaterThan(2);
  });
});

describe("PaygentUSD (EIP-3009)", () => {
  const types = {
    TransferWithAuthorization: [
      { name: "from", type: "address" },
      { name: "to", type: "address" },
      { name: "value", type: "uint256" },
      { name: "validAfter", type: "uint256" },
      { name: "validBefore", type: "uint256" },
      { name: "nonce", type: "bytes32" },
    ],
  } as const;

  test("behavior: transferWithAuthorization (bytes and v,r,s) moves funds once per nonce", async () => {
    const chain = devnetChain(devnet.rpcUrl);
    const client = createPublicClient({ chain, transport: http(devnet.rpcUrl) });
    const agent = privateKeyToAccount(devnet.accounts.agent.privateKey);
    const facilitator = createWalletClient({
      chain,
      transport: http(devnet.rpcUrl),
      account: privateKeyToAccount(devnet.accounts.facilitator.privateKey),
    });
    const [name, version, decimals, symbol] = await Promise.all([
      client.readContract({ address: devnet.addresses.usdc, abi: erc20Abi, functionName: "name" }),
      client.readContract({
        address: devnet.addresses.usdc,
        abi: eip3009Abi,
        functionName: "version",
      }),
      client.readContract({
        address: devnet.addresses.usdc,
        abi: erc20Abi,
        functionName: "decimals",
      }),
      client.readContract({
        address: devnet.addresses.usdc,
        abi: erc20Abi,
        functionName: "symbol",
      }),
    ]);
    expect({ name, version, decimals, symbol }).toEqual({
      name: "Paygent USD",
      version: "2",
      decimals: 6,
      symbol: "USDC",
    });

    const domain = {
      name,
      version,
      chainId: devnet.chainId,
      verifyingContract: devnet.addresses.usdc,
    };
    const merchant = devnet.accounts.merchant.address;
    const before = await client.readContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [merchant],
    });

    for (const overload of ["bytes", "vrs"] as const) {
      const message = {
        from: agent.address,
        to: merchant,
        value: parseUnits("0.10", 6),
        validAfter: 0n,
        validBefore: BigInt(Math.floor(Date.now() / 1000) + 3600),
        nonce: `0x${(overload === "bytes" ? "11" : "22").repeat(32)}` as const,
      };
      const signature = await agent.signTypedData({
        domain,
        types,
        primaryType: "TransferWithAuthorization",
        message,
      });
      const args = [
        message.from,
        message.to,
        message.value,
        message.validAfter,
        message.validBefore,
        message.nonce,
      ] as const;
      const { v, r, s } = parseSignature(signature);
      const hash =
        overload === "bytes"
          ? await facilitator.writeContract({
              address: devnet.addresses.usdc,
              abi: eip3009Abi,
              functionName: "transferWithAuthorization",
              args: [...args, signature],
            })
          : await facilitator.writeContract({
              address: devnet.addresses.usdc,
              abi: eip3009Abi,
              functionName: "transferWithAuthorization",
              args: [...args, Number(v), r, s],
            });
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      expect(receipt.status).toBe("success");
      const used = await client.readContract({
        address: devnet.addresses.usdc,
        abi: eip3009Abi,
        functionName: "authorizationState",
        args: [agent.address, message.nonce],
      });
      expect(used).toBe(true);
      // Replaying the same authorization must fail.
      await expect(
        client.simulateContract({
          account: facilitator.account,
          address: devnet.addresses.usdc,
          abi: eip3009Abi,
          functionName: "transferWithAuthorization",
          args: [...args, signature],
        }),
      ).rejects.toThrow(/AuthorizationAlreadyUsed/);
    }
    const after = await client.readContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [merchant],
    });
    expect(after - before).toBe(parseUnits("0.20", 6));
  });
});

describe("prediction market fixtures", () => {
  test("behavior: ConditionalTokens, the FPMM factory and two funded markets at their deterministic addresses", async () => {
    const client = createPublicClient({
      chain: devnetChain(devnet.rpcUrl),
      transport: http(devnet.rpcUrl),
    });
    for (const market of devnetMarkets()) {
      const [conditionalTokens, collateral, supply] = await Promise.all([
        client.readContract({
          address: market.fpmm,
          abi: fpmmAbi,
          functionName: "conditionalTokens",
        }),
        client.readContract({
          address: market.fpmm,
          abi: fpmmAbi,
          functionName: "collateralToken",
        }),
        client.readContract({ address: market.fpmm, abi: fpmmAbi, functionName: "totalSupply" }),
      ]);
      expect({ conditionalTokens, collateral, supply }).toEqual({
        conditionalTokens: devnet.addresses.conditionalTokens,
        collateral: devnet.addresses.usdc,
        supply: market.funding,
      });
    }
    // The fixtures' creation events name the same market makers devnetMarkets() computes.
    const logs = await client.getLogs({ address: devnet.addresses.fpmmFactory, fromBlock: 0n });
    expect(
      parseEventLogs({
        abi: fpmmFactoryAbi,
        eventName: "FixedProductMarketMakerCreation",
        logs,
      }).map((log) => log.args.fixedProductMarketMaker),
    ).toEqual(devnetMarkets().map((market) => market.fpmm));
  });

  test("behavior: a devnet persisted before the markets existed gains them on its next start; nothing else moves", async () => {
    const anvil = await startAnvil({
      port: await freePort(),
      chainId: DEVNET_CHAIN_ID,
      detached: false,
    });
    try {
      const older = await deployFixtures({ rpcUrl: anvil.rpcUrl, throughStep: "fundAgentVvs" });
      expect(older.sent).toBe(13);
      const client = createPublicClient({
        chain: devnetChain(anvil.rpcUrl),
        transport: http(anvil.rpcUrl),
      });
      expect(
        await client.getCode({ address: devnetAddresses().conditionalTokens }),
      ).toBeUndefined();
      const context = createChainContext({ network: "devnet", rpcUrl: anvil.rpcUrl });
      await expect(listMarkets(context)).rejects.toMatchObject({
        name: "MarketMisconfiguredError",
      });

      const upgraded = await deployFixtures({ rpcUrl: anvil.rpcUrl });
      expect(upgraded.sent).toBe(11);
      expect(upgraded).toEqual({ ...devnet.addresses, sent: 11 });
      const markets = await listMarkets(context);
      expect(markets.map((market) => [market.name, market.status, market.liquidity])).toEqual([
        ["cro-above-0.10-dec31", "open", "799999999"],
        ["cro-range-dec31", "open", "600000000"],
      ]);
      expect((await deployFixtures({ rpcUrl: anvil.rpcUrl })).sent).toBe(0);
    } finally {
      await anvil.stop();
    }
  });
});
