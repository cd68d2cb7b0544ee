import { type Address, createPublicClient, erc20Abi, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eip3009NonceAbi } from "../../lib/x402/readAuthorizationState.js";
import { type HostilePayee, startHostilePayee } from "../helpers/hostilePayee.js";
import { execute, waitForRun } from "../helpers/runs.js";
import { useHostProcess } from "../helpers/useHostProcess.js";

/**
 * Hostile payees through the product: one real host (Postgres, its own anvil), one misbehaving
 * x402 server on loopback (the devnet allows loopback payees). Every case ends with the chain
 * checks: what left the wallet ≤ the limits; every authorization used on chain is booked; every
 * booked payment is on chain; no run stuck.
 */
const AGENT = privateKeyToAccount(
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
);
// anvil account #5: settles the payee's kept authorizations (pays their gas).
const PAYEE_FACILITATOR_KEY: Hex =
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const PAYEE: Address = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const OTHER_PAYEE: Address = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";

const host = useHostProcess({ database: "postgres" });
let payee: HostilePayee;
let publicClient: ReturnType<typeof createPublicClient>;
let usdc: Address;
let startBlock: bigint;

beforeAll(async () => {
  const rpcUrl = `http://127.0.0.1:${host.env.DEVNET_PORT}`;
  publicClient = createPublicClient({ transport: http(rpcUrl), pollingInterval: 50 });
  const chainId = await publicClient.getChainId();
  const balance = await host.request("GET", "/api/wallet/balance");
  expect(balance.body.address).toBe(AGENT.address);
  usdc = balance.body.balances.find((b: { symbol: string }) => b.symbol === "USDC").address;
  startBlock = await publicClient.getBlockNumber();
  payee = await startHostilePayee({
    rpcUrl,
    chainId,
    facilitatorKey: PAYEE_FACILITATOR_KEY,
    terms: {
      amount: "1000000",
      asset: usdc,
      payTo: PAYEE,
      maxTimeoutSeconds: 7 * 24 * 3600,
      extra: { name: "Paygent USD", version: "2" },
    },
  });
}, 240_000);

afterAll(async () => {
  await payee?.stop().catch(() => {});
});

const walletUsdc = () =>
  publicClient.readContract({
    address: usdc,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [AGENT.address],
  });

async function newSession(budget: string): Promise<string> {
  const created = await host.request("POST", "/api/agent/sessions", {
    budget: { amount: budget, token: "USDC" },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return (created.body.session ?? created.body).id;
}

async function usdcLine(sessionId: string): Promise<{ spent: string; reserved: string }> {
  const { body } = await host.request("GET", `/api/agent/sessions/${sessionId}`);
  const view = body.session ?? body;
  // A session lists only tokens with reserved or settled rows: none means nothing spent or held.
  return (
    view.budgetStatus.tokens.find((line: { token: string }) => line.token === "usdc") ?? {
      spent: "0",
      reserved: "0",
    }
  );
}

/** A payment as GET /api/payments lists it (the fields the checks read). */
interface PaymentLine {
  id: string;
  nonce: string;
  status: string;
  amount: string;
}

async function payments(sessionId: string): Promise<PaymentLine[]> {
  const { body } = await host.request("GET", `/api/payments?sessionId=${sessionId}&limit=200`);
  return body.payments;
}

/** The agent's authorizations used on chain since the start: nonce → amount moved. */
async function usedOnChain(): Promise<Map<string, bigint>> {
  const logs = await publicClient.getLogs({
    address: usdc,
    event: eip3009NonceAbi[1],
    args: { authorizer: AGENT.address },
    fromBlock: startBlock,
  });
  const used = new Map<string, bigint>();
  for (const log of logs) {
    const receipt = await publicClient.getTransactionReceipt({ hash: log.transactionHash });
    const transfer = receipt.logs.find(
      (entry) =>
        entry.address.toLowerCase() === usdc.toLowerCase() &&
        entry.topics[0] === "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
    );
    used.set((log.args.nonce as string).toLowerCase(), transfer ? BigInt(transfer.data) : 0n);
  }
  return used;
}

/**
 * The chain checks after each case, for the sessions it used: what left the wallet ≤ the
 * budgets; every used authorization is a settled, booked payment; every settled payment is used
 * on chain with its amount; spent equals what moved; no run of those sessions is stuck.
 */
async function assertBooksMatchChain(sessions: { id: string; budget: bigint }[], before: bigint) {
  const used = await usedOnChain();
  const all = (await Promise.all(sessions.map((s) => payments(s.id)))).flat();
  const ours = new Set(all.map((p) => p.nonce.toLowerCase()));
  let moved = 0n;
  for (const [nonce, amount] of used) if (ours.has(nonce)) moved += amount;
  const left = before - (await walletUsdc());
  expect(left).toBe(moved);
  expect(left <= sessions.reduce((sum, s) => sum + s.budget, 0n)).toBe(true);
  for (const payment of all) {
    const onChain = used.get(payment.nonce.toLowerCase());
    if (payment.status === "settled") expect(onChain).toBe(BigInt(payment.amount));
    else expect(onChain, `${payment.id} is ${payment.status} but used on chain`).toBeUndefined();
  }
  for (const session of sessions) {
    const settled = (await payments(session.id))
      .filter((p) => p.status === "settled")
      .reduce((sum, p) => sum + BigInt(p.amount), 0n);
    const line = await usdcLine(session.id);
    expect(BigInt(line.spent)).toBe(settled);
    expect(line.reserved).toBe("0");
    const { body } = await host.request("GET", `/api/runs?sessionId=${session.id}&limit=100`);
    for (const run of body.runs)
      expect(["completed", "failed", "cancelled"], `run ${run.id} is ${run.status}`).toContain(
        run.status,
      );
  }
}

describe("hostile payees through the host", () => {
  test("behavior: keeps the signature, answers 500, settles later (the issue's repro) → both cancelled on chain, budget untouched, cancel gas in the run's cost", async () => {
    payee.setBehaviour({ kind: "keep-and-fail", status: 500, settleAfterMs: 6000 });
    const before = await walletUsdc();
    const session = await newSession("1.5");
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const accepted = await execute(host, {
        sessionId: session,
        command: `pay 1 USDC to ${payee.url}`,
      });
      const run = await waitForRun(host, accepted.runId, ["completed", "failed"], 90_000);
      runs.push(run);
    }
    for (const run of runs) {
      expect(run.status).toBe("failed");
      expect(run.error.message).toMatch(/cancelled on chain/);
      const gas = run.cost.items.filter(
        (item: { kind: string; detail?: string }) =>
          item.kind === "gas" && item.detail?.startsWith("x402 cancel 0x"),
      );
      expect(gas).toHaveLength(1);
      expect(BigInt(gas[0].amount) > 0n).toBe(true);
    }
    // The payee tries to settle what it kept: the chain refuses cancelled authorizations.
    await payee.flush();
    expect(payee.kept).toHaveLength(2);
    for (const kept of payee.kept) expect(kept.settled?.success).toBe(false);
    expect((await payments(session)).map((p) => p.status).sort()).toEqual([
      "cancelled",
      "cancelled",
    ]);
    expect(await usdcLine(session)).toMatchObject({ spent: "0", reserved: "0" });
    await assertBooksMatchChain([{ id: session, budget: 1_500_000n }], before);
  }, 300_000);

  test("error: a catalogue service that changes its price, asset or payTo after its probe is refused before anything is signed", async () => {
    payee.setBehaviour({ kind: "honest" });
    payee.setTerms({ amount: "100000", asset: usdc, payTo: PAYEE });
    const chainId = await publicClient.getChainId();
    const before = await walletUsdc();
    const session = await newSession("1");
    const cases: { name: string; terms: Record<string, string>; reason: RegExp }[] = [
      { name: "price", terms: { amount: "200000" }, reason: /amount|above|limit|price/i },
      { name: "asset", terms: { asset: OTHER_PAYEE }, reason: /asset/i },
      { name: "payTo", terms: { payTo: OTHER_PAYEE }, reason: /payTo/ },
    ];
    for (const [i, c] of cases.entries()) {
      payee.setTerms({ amount: "100000", asset: usdc, payTo: PAYEE });
      // Letters only: a number in a service name would read as an amount.
      const name = `Hostile ${c.name} ${"abc"[i]}${Math.random()
        .toString(36)
        .replace(/[^a-z]/g, "")
        .slice(0, 6)} API`;
      const created = await host.request("POST", "/api/services", {
        name,
        category: "market-data",
        endpoint: `${payee.url}?case=${c.name}`,
        price: { amount: "0.1", token: usdc, network: `eip155:${chainId}` },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = (created.body.service ?? created.body).id;
      // The probe sees the honest terms (cached 60 s, as the pay step reads it).
      const probed = await host.request("GET", `/api/services/${id}/pricing`);
      expect(probed.body.live).toMatchObject({ baseUnits: "100000", payTo: PAYEE });
      payee.setTerms(c.terms as never);
      const paidBefore = payee.requests.filter((r) => r.paid).length;
      const accepted = await execute(host, { sessionId: session, command: `pay for ${name}` });
      const run = await waitForRun(host, accepted.runId, ["completed", "failed"], 90_000);
      expect(run.status, c.name).toBe("failed");
      expect(run.error.message, c.name).toMatch(c.reason);
      // Nothing signed: no paid request reached the payee, no payment was sent.
      expect(payee.requests.filter((r) => r.paid).length).toBe(paidBefore);
    }
    for (const payment of await payments(session)) expect(payment.status).toBe("failed");
    expect(await walletUsdc()).toBe(before);
    await assertBooksMatchChain([{ id: session, budget: 1_000_000n }], before);
  }, 300_000);

  test("error: a redirect to a private address or another origin is refused before signing", async () => {
    payee.setTerms({ amount: "100000", asset: usdc, payTo: PAYEE });
    const before = await walletUsdc();
    const session = await newSession("1");
    for (const location of ["http://10.0.0.7/steal", "http://169.254.169.254/latest/meta-data"]) {
      payee.setBehaviour({ kind: "redirect", location, when: "unpaid" });
      const paidBefore = payee.requests.filter((r) => r.paid).length;
      const accepted = await execute(host, {
        sessionId: session,
        command: `pay 0.1 USDC to ${payee.url}`,
      });
      const run = await waitForRun(host, accepted.runId, ["completed", "failed"], 90_000);
      expect(run.status).toBe("failed");
      expect(run.error.message).toMatch(/redirect|private|not public|refused/i);
      expect(payee.requests.filter((r) => r.paid).length).toBe(paidBefore);
    }
    expect(await walletUsdc()).toBe(before);
    await assertBooksMatchChain([{ id: session, budget: 1_000_000n }], before);
  }, 300_000);
});
