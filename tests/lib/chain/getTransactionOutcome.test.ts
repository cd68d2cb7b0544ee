import {
  createPublicClient,
  createTestClient,
  custom,
  encodeFunctionData,
  erc20Abi,
  type Hash,
  http,
  keccak256,
} from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { getTransactionOutcome } from "../../../lib/chain/getTransactionOutcome.js";
import { transferToken } from "../../../lib/chain/transferToken.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

let devnet: TestDevnet;
let db: TestDb;
let context: ChainContext;
beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pglite")]);
  context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
});
afterAll(async () => {
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

interface RpcCall {
  method: string;
  params?: unknown;
}

/**
 * A load-balanced RPC whose nodes lag each other, as the agent's step sees it: `override` answers a
 * call the way a node behind the head would (return undefined to pass it to the real node).
 */
function laggingContext(override: (call: RpcCall) => unknown | undefined): {
  context: ChainContext;
  calls: RpcCall[];
} {
  const upstream = http(devnet.rpcUrl)({ chain: context.chain, retryCount: 0 });
  const calls: RpcCall[] = [];
  const transport = custom({
    async request(call: RpcCall) {
      calls.push(call);
      const answer = override(call);
      if (answer !== undefined) {
        if (answer instanceof Error) throw answer;
        return answer === "null" ? null : answer;
      }
      return upstream.request(call as Parameters<typeof upstream.request>[0]);
    },
  });
  const publicClient = createPublicClient({ chain: context.chain, transport, pollingInterval: 50 });
  return { context: { ...context, publicClient }, calls };
}

/** Signs a USDC transfer from the agent at the next nonce without sending it. */
async function signUnsent(): Promise<{ hash: Hash; nonce: number }> {
  const nonce = await context.publicClient.getTransactionCount({
    address: context.account.address,
    blockTag: "pending",
  });
  const prepared = await context.walletClient.prepareTransactionRequest({
    to: devnet.addresses.usdc,
    data: encodeFunctionData({
      abi: erc20Abi,
      functionName: "transfer",
      args: [devnet.accounts.merchant.address, 5n],
    }),
    nonce,
  });
  const raw = await context.walletClient.signTransaction(
    prepared as Parameters<typeof context.walletClient.signTransaction>[0],
  );
  return { hash: keccak256(raw), nonce };
}

async function mine(blocks: number): Promise<void> {
  const testClient = createTestClient({ mode: "anvil", transport: http(devnet.rpcUrl) });
  await testClient.mine({ blocks });
}

describe("getTransactionOutcome", () => {
  test("behavior: a mined transaction whose receipt a lagging node cannot serve is pending, never dropped", async () => {
    const sent = await transferToken(context, db.db, {
      stepId: "lagging-receipt",
      token: "USDC",
      to: devnet.accounts.merchant.address,
      amount: 1n,
    });
    const hash = sent.hash.toLowerCase();
    // The node behind has neither the receipt nor the transaction; the node ahead has the nonce used.
    const lagging = laggingContext(({ method, params }) =>
      (method === "eth_getTransactionReceipt" || method === "eth_getTransactionByHash") &&
      String((params as unknown[])[0]).toLowerCase() === hash
        ? "null"
        : undefined,
    );
    const outcome = await getTransactionOutcome(lagging.context, {
      hash: sent.hash,
      from: context.account.address,
      nonce: sent.nonce,
    });
    // Before the nonce search was pinned to a block, this answered "dropped" and the step sent again.
    expect(outcome.status).toBe("pending");

    // The same question to a consistent node finds the receipt.
    const settled = await getTransactionOutcome(context, {
      hash: sent.hash,
      from: context.account.address,
      nonce: sent.nonce,
    });
    expect(settled).toMatchObject({ status: "confirmed", blockNumber: BigInt(sent.blockNumber) });
  });

  test("behavior: a node without the pinned block cannot make a transaction dropped", async () => {
    const stale = await signUnsent();
    await transferToken(context, db.db, {
      stepId: "lagging-state",
      token: "USDC",
      to: devnet.accounts.merchant.address,
      amount: 1n,
    });
    // Every question pinned to a block is answered by a node that has not got that block yet.
    const lagging = laggingContext(({ method, params }) =>
      method === "eth_getTransactionCount" && /^0x/.test(String((params as unknown[])[1]))
        ? new Error("header not found")
        : undefined,
    );
    const outcome = await getTransactionOutcome(lagging.context, {
      hash: stale.hash,
      from: context.account.address,
      nonce: stale.nonce,
    });
    expect(outcome.status).toBe("pending");
  });

  test("behavior: a transaction whose nonce another used is dropped, naming that transaction and block, found in a few calls", async () => {
    const stale = await signUnsent();
    const other = await transferToken(context, db.db, {
      stepId: "nonce-taker",
      token: "USDC",
      to: devnet.accounts.merchant.address,
      amount: 1n,
    });
    expect(other.nonce).toBe(stale.nonce);
    // The check comes late: 300 blocks after the nonce was used.
    await mine(300);
    const counting = laggingContext(() => undefined);
    const outcome = await getTransactionOutcome(counting.context, {
      hash: stale.hash,
      from: context.account.address,
      nonce: stale.nonce,
    });
    expect(outcome).toMatchObject({
      status: "dropped",
      error: `nonce ${stale.nonce} was used by transaction ${other.hash} in block ${other.blockNumber}`,
    });
    const nonceQueries = counting.calls.filter((call) => call.method === "eth_getTransactionCount");
    // Gallop back (about log2(300) probes) then bisect (about as many): not a scan of 300 blocks.
    expect(nonceQueries.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(300)) + 2);
  });

  test("behavior: a signed transaction whose nonce is still free is pending", async () => {
    const unsent = await signUnsent();
    const outcome = await getTransactionOutcome(context, {
      hash: unsent.hash,
      from: context.account.address,
      nonce: unsent.nonce,
    });
    expect(outcome).toEqual({ status: "pending", hash: unsent.hash, rebroadcast: false });
  });
});
