import { spawnSync } from "node:child_process";
import path from "node:path";
import { type Address, createPublicClient, erc20Abi, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getNetwork } from "../../lib/chain/registry.js";
import { conditionalTokensAbi } from "../../lib/markets/abis.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * Prediction markets through a real local host (Postgres, local workflow world, anvil devnet with
 * the real Gnosis ConditionalTokens and FPMM contracts): the market routes, then commands as a
 * person writes them — bet, sell, (oracle resolves) redeem — with collateral and outcome-token
 * balances read from the chain and compared exactly. In tests/long: a host start plus the oracle
 * script take over a minute on the shared machine.
 */
const MARKET = "cro-above-0.10-dec31";
const root = path.resolve(import.meta.dirname, "../..");
const deployment = getNetwork("devnet").predictionMarkets!;

let host: HostProcess;
let client: ReturnType<typeof createPublicClient>;
let agent: Address;
let usdc: Address;

beforeAll(async () => {
  host = await startHostProcess({
    database: "postgres",
    env: { RATE_LIMIT_PER_MINUTE: "100000", CHAIN_INLINE_WAIT_MS: "5000" },
  });
  client = createPublicClient({ transport: http(`http://127.0.0.1:${host.env.DEVNET_PORT}`) });
}, 240_000);

afterAll(async () => {
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
});

const usdcBalance = () =>
  client.readContract({ address: usdc, abi: erc20Abi, functionName: "balanceOf", args: [agent] });
const sharesOf = (positionId: string) =>
  client.readContract({
    address: deployment.conditionalTokens,
    abi: conditionalTokensAbi,
    functionName: "balanceOf",
    args: [agent, BigInt(positionId)],
  });

async function run(command: string): Promise<any> {
  const accepted = await execute(host, { command });
  return waitForRun(host, accepted.runId, undefined, 90_000);
}

/** The step of a run that performed `action`. */
function stepOf(view: any, action: string): any {
  const step = view.steps.find((candidate: any) => candidate.action === action);
  expect(step, JSON.stringify(view.steps)).toBeDefined();
  return step;
}

describe("markets API", () => {
  it("behavior: GET /api/markets lists the devnet markets with names, outcomes, prices, liquidity and status", async () => {
    const { status, body } = await host.request("GET", "/api/markets");
    expect(status).toBe(200);
    expect(body.network).toBe("devnet");
    const names = body.markets.map((market: any) => market.name);
    expect(names).toEqual(expect.arrayContaining([MARKET, "cro-range-dec31"]));
    const market = body.markets.find((candidate: any) => candidate.name === MARKET);
    expect(market.status).toBe("open");
    expect(market.question).toMatch(/above 0\.10/);
    expect(market.outcomes.map((outcome: any) => outcome.label)).toEqual(["Yes", "No"]);
    expect(BigInt(market.liquidity)).toBeGreaterThan(0n);
    expect(market.outcomes[0].probability).toBe("0.4000");
    agent = (await host.request("GET", "/api/wallet/positions")).body.owner;
    usdc = market.collateral.address;

    const one = await host.request("GET", `/api/markets/${MARKET}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(market.id);
    const byAddress = await host.request("GET", `/api/markets/${market.id}`);
    expect(byAddress.body.name).toBe(MARKET);
    expect((await host.request("GET", "/api/markets?status=resolved")).body.markets).toEqual([]);
  });

  it("error: an unknown market is a 404 naming the known ones; a bad status filter a 400", async () => {
    const missing = await host.request("GET", "/api/markets/no-such-market");
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain(MARKET);
    expect((await host.request("GET", "/api/markets?status=closed")).status).toBe(400);
  });
});

describe("behavior: bet → sell → resolve → redeem through commands", () => {
  let positionId: string;

  it('"bet 5 USDC on yes in cro-above-0.10-dec31" completes: exactly 5 USDC leaves, the shares bought arrive', async () => {
    const before = await usdcBalance();
    const view = await run(`bet 5 USDC on yes in ${MARKET}`);
    expect(view.status, JSON.stringify(view.error)).toBe("completed");
    const bet = stepOf(view, "bet");
    expect(bet.input).toMatchObject({
      type: "bet",
      market: MARKET,
      outcome: "Yes",
      token: "USDC",
      amount: "5000000",
    });
    expect(bet.output).toMatchObject({ market: MARKET, outcome: "Yes", amount: "5000000" });
    positionId = bet.output.positionId;
    const shares = BigInt(bet.output.shares);
    expect(shares).toBeGreaterThanOrEqual(BigInt(bet.input.minShares));
    expect(await usdcBalance()).toBe(before - 5_000_000n);
    expect(await sharesOf(positionId)).toBe(shares);

    const positions = (await host.request("GET", "/api/wallet/positions")).body;
    const position = positions.positions.find((p: any) => p.market === MARKET);
    expect(position.status).toBe("open");
    expect(position.outcomes[0]).toMatchObject({ outcome: "Yes", shares: shares.toString() });
    expect(BigInt(position.value)).toBeGreaterThan(0n);
    const buys = await host.request("GET", "/api/wallet/transactions?kind=market_buy");
    expect(buys.status).toBe(200);
    expect(buys.body.transactions.map((t: any) => t.hash)).toContain(bet.output.hash);
  });

  it("error: redeeming before the oracle reports is refused at planning; nothing moves", async () => {
    const before = await usdcBalance();
    const view = await run(`redeem ${MARKET}`);
    expect(view.status).toBe("failed");
    expect(JSON.stringify(view.error)).toContain("not resolved yet");
    expect(await usdcBalance()).toBe(before);
  });

  it('"sell my yes shares in cro-above-0.10-dec31" completes: the sale\'s collateral arrives, its shares leave', async () => {
    const usdcBefore = await usdcBalance();
    const sharesBefore = await sharesOf(positionId);
    const view = await run(`sell my yes shares in ${MARKET}`);
    expect(view.status, JSON.stringify(view.error)).toBe("completed");
    const sale = stepOf(view, "sellShares");
    expect(sale.input).toMatchObject({ type: "sellShares", market: MARKET, outcome: "Yes" });
    const received = BigInt(sale.output.amount);
    const sold = BigInt(sale.output.shares);
    expect(received).toBeGreaterThan(0n);
    expect(sold).toBeLessThanOrEqual(sharesBefore);
    expect(await usdcBalance()).toBe(usdcBefore + received);
    expect(await sharesOf(positionId)).toBe(sharesBefore - sold);
  });

  it('the oracle resolves Yes, then "redeem cro-above-0.10-dec31" pays every Yes share 1 USDC unit', async () => {
    const again = await run(`bet 5 USDC on yes in ${MARKET}`);
    expect(again.status, JSON.stringify(again.error)).toBe("completed");
    const resolved = spawnSync(
      process.execPath,
      ["--import", "tsx", "dev/resolveMarket.ts", "--market", MARKET, "--outcome", "yes"],
      {
        cwd: root,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/root",
          PAYGENT_NETWORK: "devnet",
          RPC_URL: `http://127.0.0.1:${host.env.DEVNET_PORT}`,
          DEVNET_PORT: host.env.DEVNET_PORT!,
          DEVNET_STATE_DIR: host.env.DEVNET_STATE_DIR!,
          LOG_LEVEL: "silent",
        },
      },
    );
    expect(resolved.status, resolved.stderr).toBe(0);
    const market = (await host.request("GET", `/api/markets/${MARKET}`)).body;
    expect(market.status).toBe("resolved");

    const held = await sharesOf(positionId);
    expect(held).toBeGreaterThan(0n);
    const before = await usdcBalance();
    const view = await run(`redeem ${MARKET}`);
    expect(view.status, JSON.stringify(view.error)).toBe("completed");
    const redemption = stepOf(view, "redeem");
    // Payouts [1, 0] / 1: each Yes share unit pays one USDC base unit, the No side nothing.
    expect(redemption.output.amount).toBe(held.toString());
    expect(await usdcBalance()).toBe(before + held);
    expect(await sharesOf(positionId)).toBe(0n);
    const positions = (await host.request("GET", "/api/wallet/positions")).body;
    expect(positions.positions.find((p: any) => p.market === MARKET)).toBeUndefined();
  });

  it("error: betting on a resolved market fails at planning and spends nothing", async () => {
    const before = await usdcBalance();
    const view = await run(`bet 5 USDC on no in ${MARKET}`);
    expect(view.status).toBe("failed");
    expect(JSON.stringify(view.error)).toContain("resolved");
    expect(await usdcBalance()).toBe(before);
  });
});
