import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { fixtureAgentFunding } from "../../../lib/chain/devnet/deployFixtures.js";
import { getBalances } from "../../../lib/chain/getBalances.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

let devnet: TestDevnet;
let context: ChainContext;
beforeAll(async () => {
  devnet = await startTestDevnet();
  context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
});
afterAll(async () => {
  await devnet?.stop();
});

describe("getBalances", () => {
  test("behavior: native and ERC-20 balances of the agent in one batch", async () => {
    const result = await getBalances(context, { tokens: ["CRO", "usdc.e", "VVS"] });
    expect(result.address).toBe(devnet.accounts.agent.address);
    const bySymbol = Object.fromEntries(
      result.balances.map((balance) => [balance.symbol, balance]),
    );
    expect(Object.keys(bySymbol)).toEqual(["CRO", "USDC", "VVS"]);
    expect(bySymbol.USDC).toMatchObject({
      amount: fixtureAgentFunding.usdc.toString(),
      formatted: "10000",
      decimals: 6,
    });
    expect(bySymbol.VVS?.amount).toBe(fixtureAgentFunding.vvs.toString());
    // anvil starts every account at 10,000 CRO; the fixtures spend none of the agent's.
    expect(bySymbol.CRO?.amount).toBe(parseEther("10000").toString());
  });

  test("args: address reads another wallet; aliases collapse to one row", async () => {
    const result = await getBalances(context, {
      address: devnet.accounts.merchant.address,
      tokens: ["USDC", "usd coin"],
    });
    expect(result.balances).toHaveLength(1);
    expect(result.balances[0]).toMatchObject({ symbol: "USDC", amount: "0" });
  });

  test("behavior: a transaction that just landed is in the balances, whatever block number the client has cached", async () => {
    // Polling every 10 s, viem caches the block number for 10 s: a balance read at the cached
    // number would miss what landed since. getBalances reads the number in the same call.
    const slowPolling = createChainContext({
      network: "devnet",
      rpcUrl: devnet.rpcUrl,
      pollingInterval: 10_000,
    });
    const before = await getBalances(slowPolling, { tokens: ["CRO"] });
    expect(BigInt(before.blockNumber)).toBe(await slowPolling.publicClient.getBlockNumber());
    const hash = await context.walletClient.sendTransaction({
      to: devnet.accounts.merchant.address,
      value: 1_000n,
    });
    const receipt = await context.publicClient.waitForTransactionReceipt({ hash });
    const after = await getBalances(slowPolling, { tokens: ["CRO"] });
    expect(BigInt(after.blockNumber)).toBe(receipt.blockNumber);
    const spent = 1_000n + receipt.gasUsed * receipt.effectiveGasPrice;
    expect(BigInt(after.balances[0]!.amount)).toBe(BigInt(before.balances[0]!.amount) - spent);
  });

  test("error: unknown token names the known ones", async () => {
    await expect(
      getBalances(context, { tokens: ["DOGE"] }),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [UnknownTokenError: Unknown token "DOGE" on devnet
      Known tokens: CRO, USDC, WCRO, VVS]
    `);
  });
});
