import { parseEther, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { routerAbi } from "../../../lib/chain/abis.js";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { priceUsd } from "../../../lib/chain/priceUsd.js";
import { quoteSwap } from "../../../lib/chain/quoteSwap.js";
import { chainPricer } from "../../../lib/policy/chainPricer.js";
import { freePort, startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

let devnet: TestDevnet;
let context: ChainContext;
beforeAll(async () => {
  devnet = await startTestDevnet();
  context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
});
afterAll(async () => {
  await devnet?.stop();
});

describe("quoteSwap", () => {
  test("behavior: CRO → USDC matches the router's getAmountsOut exactly", async () => {
    const amountIn = parseEther("100");
    const quote = await quoteSwap(context, { tokenIn: "CRO", tokenOut: "USDC", amountIn });
    expect(quote.path).toEqual([devnet.addresses.wcro, devnet.addresses.usdc]);
    const amounts = await context.publicClient.readContract({
      address: devnet.addresses.router,
      abi: routerAbi,
      functionName: "getAmountsOut",
      args: [amountIn, quote.path],
    });
    expect(quote.amountOut).toBe(amounts[1]?.toString());
    // 100 CRO ≈ 10 USDC less the 0.3 % fee.
    expect(BigInt(quote.amountOut)).toBeGreaterThan(parseUnits("9.96", 6));
    expect(BigInt(quote.amountOut)).toBeLessThan(parseUnits("9.98", 6));
    expect(quote.priceImpactBps).toBe(0);
  });

  test("behavior: VVS → USDC routes through WCRO, matching the router", async () => {
    const amountIn = parseEther("50000");
    const quote = await quoteSwap(context, { tokenIn: "VVS", tokenOut: "USDC", amountIn });
    expect(quote.path).toEqual([
      devnet.addresses.vvs,
      devnet.addresses.wcro,
      devnet.addresses.usdc,
    ]);
    const amounts = await context.publicClient.readContract({
      address: devnet.addresses.router,
      abi: routerAbi,
      functionName: "getAmountsOut",
      args: [amountIn, quote.path],
    });
    expect(quote.amountOut).toBe(amounts[2]?.toString());
  });

  test("behavior: a large trade reports its price impact", async () => {
    // 10 % of the CRO side of the pool moves the price by about 9 %.
    const quote = await quoteSwap(context, {
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn: parseEther("200000"),
    });
    expect(quote.priceImpactBps).toBeGreaterThan(850);
    expect(quote.priceImpactBps).toBeLessThan(950);
  });

  test("error: same pool token is not a swap", async () => {
    await expect(
      quoteSwap(context, { tokenIn: "CRO", tokenOut: "WCRO", amountIn: 1n }),
    ).rejects.toThrow(/not a swap/);
  });
});

describe("priceUsd", () => {
  test("behavior: stablecoins at $1, CRO at the pool mid price, exact decimals", async () => {
    expect(
      await priceUsd(context, { token: "USDC", amount: parseUnits("12.345678", 6) }),
    ).toMatchObject({
      usd: "12.345678",
      source: "peg",
    });
    // Pool is 2,000,000 CRO / 200,000 USDC: exactly $0.10 per CRO.
    expect(await priceUsd(context, { token: "CRO", amount: parseEther("123.4") })).toMatchObject({
      usd: "12.34",
      usdMicros: "12340000",
      source: "pool",
    });
    // VVS prices through WCRO: 10,000 VVS per CRO → $0.00001 each.
    expect((await priceUsd(context, { token: "VVS", amount: parseEther("1000000") })).usd).toBe(
      "10",
    );
  });

  test("error: an RPC failure is not 'no price' — it propagates, so the policy gate retries instead of refusing as unpriced", async () => {
    // A port nothing listens on: every request fails like a dropped RPC connection.
    const down = createChainContext({
      network: "devnet",
      rpcUrl: `http://127.0.0.1:${await freePort()}`,
    });
    const failure = await priceUsd(down, { token: "CRO", amount: parseEther("10") }).catch(
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).not.toBe("PriceUnavailableError");
    await expect(chainPricer(down, null)("CRO", parseEther("10"))).rejects.toThrow();
    // A token without any route is still unpriced (null), as before.
    expect(await chainPricer(context, null)("NOPE", 1n)).toBeNull();
  });
});
