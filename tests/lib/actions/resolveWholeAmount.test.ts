import { erc20Abi, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readWholeBalance } from "../../../lib/actions/readWholeBalance.js";
import { resolveWholeAmount } from "../../../lib/actions/resolveWholeAmount.js";
import { releaseBudget, reserveBudget } from "../../../lib/budget/index.js";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { InsufficientBalanceError } from "../../../lib/chain/errors.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

/** "All my <token>" on a real anvil and Postgres: what is read, what is kept for gas, and retries. */
let devnet: TestDevnet;
let db: TestDb;
let chain: ChainContext;
const SESSION = "ses_whole";

beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  chain = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
  await db.db.insertInto("agent_sessions").values({ id: SESSION }).execute();
}, 120_000);
afterAll(async () => {
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

const agent = () => devnet.accounts.agent.address;
const setCro = (wei: bigint) =>
  chain.publicClient.request({
    method: "anvil_setBalance" as never,
    params: [agent(), `0x${wei.toString(16)}`] as never,
  });

describe("readWholeBalance", () => {
  test("behavior: an ERC-20's whole balance, nothing kept back", async () => {
    const held = await chain.publicClient.readContract({
      address: devnet.addresses.usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [agent()],
    });
    expect(held).toBeGreaterThan(0n);
    expect(await readWholeBalance(chain, { token: "USDC" })).toEqual({
      token: "USDC",
      balance: held,
      reserve: 0n,
      amount: held,
    });
  });

  test("behavior: CRO keeps the larger of GAS_RESERVE_NATIVE (0.5) and 500k gas at the current fee", async () => {
    await setCro(parseEther("42"));
    const fees = await chain.publicClient.estimateFeesPerGas();
    const byFee = 500_000n * fees.maxFeePerGas;
    const reserve = byFee > parseEther("0.5") ? byFee : parseEther("0.5");
    expect(await readWholeBalance(chain, { token: "CRO" })).toEqual({
      token: "CRO",
      balance: parseEther("42"),
      reserve,
      amount: parseEther("42") - reserve,
    });
  });

  test("error: a CRO balance the reserve eats whole is refused, nothing to send", async () => {
    await setCro(parseEther("0.4"));
    await expect(readWholeBalance(chain, { token: "CRO" })).rejects.toBeInstanceOf(
      InsufficientBalanceError,
    );
    await setCro(parseEther("100"));
  });
});

describe("resolveWholeAmount", () => {
  test("behavior: before the step reserves, the chain's balance now; after, the reservation on every attempt", async () => {
    await setCro(parseEther("100"));
    const context = { db: db.db, chain };
    const stepId = "run_whole:0";
    const first = await resolveWholeAmount(context, { token: "CRO", stepId });
    expect(first).toBe((await readWholeBalance(chain, { token: "CRO" })).amount);
    await reserveBudget({
      db: db.db,
      sessionId: SESSION,
      runId: "run_whole",
      stepIndex: 0,
      token: "CRO",
      amount: first,
    });
    // The balance moves (say the transfer was broadcast, then the process died): a retry of the
    // same step still answers the reserved amount, so it finds its own transaction instead of
    // sending a different one.
    await setCro(parseEther("3"));
    expect(await resolveWholeAmount(context, { token: "CRO", stepId })).toBe(first);
    // Without a step (an edited approval being checked), the chain's balance now.
    expect(await resolveWholeAmount(context, { token: "CRO" })).toBe(
      parseEther("3") - parseEther("0.5"),
    );
  });

  test("behavior: a released reservation no longer fixes the amount", async () => {
    await setCro(parseEther("10"));
    const context = { db: db.db, chain };
    await reserveBudget({
      db: db.db,
      sessionId: SESSION,
      runId: "run_released",
      stepIndex: 0,
      token: "CRO",
      amount: 1n,
    });
    await releaseBudget({ db: db.db, runId: "run_released", stepIndex: 0 });
    expect(await resolveWholeAmount(context, { token: "CRO", stepId: "run_released:0" })).toBe(
      parseEther("9.5"),
    );
  });
});
