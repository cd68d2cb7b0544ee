import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ChainContext, createChainContext } from "../../../lib/chain/clients.js";
import { transferToken } from "../../../lib/chain/transferToken.js";
import { routeStepError } from "../../../lib/runs/execute/stepErrors.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

/**
 * A gas estimate the RPC refuses to answer (a JSON-RPC rate limit with HTTP 200, as public Cronos
 * endpoints give, or HTTP 429) says nothing about the transaction: the step retries it
 * (ChainUnavailableError, transient). Only an answer that the transaction reverts is final
 * (TransactionWouldRevertError). Either way nothing is signed, recorded or sent.
 */
type Answer = { status: number; body: unknown } | undefined;
let devnet: TestDevnet;
let db: TestDb;
let context: ChainContext;
let proxy: Server;
/** What the proxy answers eth_estimateGas and eth_fillTransaction with (undefined: the devnet's). */
let estimateAnswer: (id: unknown) => Answer = () => undefined;

beforeAll(async () => {
  [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  proxy = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const body = Buffer.concat(chunks);
      const call = JSON.parse(body.toString()) as { method?: string; id?: unknown };
      const answer =
        call.method === "eth_estimateGas" || call.method === "eth_fillTransaction"
          ? estimateAnswer(call.id)
          : undefined;
      if (answer) {
        response
          .writeHead(answer.status, { "content-type": "application/json" })
          .end(JSON.stringify(answer.body));
        return;
      }
      const upstream = await fetch(devnet.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Uint8Array(body),
      });
      response
        .writeHead(upstream.status, { "content-type": "application/json" })
        .end(Buffer.from(await upstream.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  context = createChainContext({ network: "devnet", rpcUrl: `http://127.0.0.1:${port}` });
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await Promise.all([devnet?.stop(), db?.dispose()]);
});

const rpcError = (code: number, message: string, data?: string) => (id: unknown) => ({
  status: 200,
  body: { jsonrpc: "2.0", id, error: { code, message, ...(data ? { data } : {}) } },
});

async function transferWith(stepId: string, answer: (id: unknown) => Answer): Promise<unknown> {
  estimateAnswer = answer;
  try {
    return await transferToken(context, db.db, {
      stepId,
      token: "USDC",
      to: devnet.accounts.merchant.address,
      amount: parseUnits("1", 6),
    }).catch((error: unknown) => error);
  } finally {
    estimateAnswer = () => undefined;
  }
}

async function recorded(stepId: string): Promise<unknown[]> {
  return db.db
    .selectFrom("chain_transactions")
    .select("hash")
    .where("step_id", "=", stepId)
    .execute();
}

describe("a gas estimate the RPC does not answer", () => {
  test("behavior: a JSON-RPC rate limit (-32005, HTTP 200) is transient; the step retries", async () => {
    const error = await transferWith(
      "estimate-limited",
      rpcError(-32005, "rate limit exceeded, retry later"),
    );
    expect(error).toMatchObject({ name: "ChainUnavailableError", kind: "transient" });
    expect(routeStepError(error)).toBe("retry");
    expect(await recorded("estimate-limited")).toEqual([]);
  });

  test("behavior: HTTP 429 and a JSON-RPC resource unavailable (-32002) are transient too", async () => {
    const tooMany = await transferWith("estimate-429", () => ({
      status: 429,
      body: { error: "too many requests" },
    }));
    expect(tooMany).toMatchObject({ name: "ChainUnavailableError", kind: "transient" });
    const unavailable = await transferWith(
      "estimate-32002",
      rpcError(-32002, "resource not available"),
    );
    expect(unavailable).toMatchObject({ name: "ChainUnavailableError", kind: "transient" });
    expect(await recorded("estimate-429")).toEqual([]);
    expect(await recorded("estimate-32002")).toEqual([]);
  });

  test("error: an estimate answered with a revert stays final (would revert), nothing sent", async () => {
    const error = await transferWith(
      "estimate-reverts",
      // Error(string) "nope", ABI-encoded, as a node answers a reverting call.
      rpcError(
        3,
        "execution reverted: nope",
        "0x08c379a00000000000000000000000000000000000000000000000000000000000000020000000000000000000000000000000000000000000000000000000000000000046e6f706500000000000000000000000000000000000000000000000000000000",
      ),
    );
    expect(error).toMatchObject({ name: "TransactionWouldRevertError", kind: "fatal" });
    expect(routeStepError(error)).toBe("record");
    expect(await recorded("estimate-reverts")).toEqual([]);
  });
});
