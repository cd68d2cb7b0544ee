import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import {
  type Address,
  createPublicClient,
  erc20Abi,
  type Hex,
  http,
  keccak256,
  parseAbiItem,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * An RPC that goes away around a transfer's broadcast: the node receives the transaction, but the
 * answer is lost and every request fails for about 2 s. The step cannot know whether the transfer
 * was sent, so it must neither fail the run nor give the reservation back: it retries (transient),
 * finds the transaction it recorded before broadcasting, and the run completes once — one
 * transaction on chain, the budget settled once.
 */
const recipient = "0x2222222222222222222222222222222222222222" as Address;
const outageMs = 2000;

let devnet: TestDevnet;
let proxy: Server;
let host: HostProcess;
let database: pg.Client;
const seen = { rawTransactions: [] as Hex[], refused: 0, outageUntil: 0, armed: true };

beforeAll(async () => {
  devnet = await startTestDevnet();
  proxy = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const calls = [JSON.parse(body)].flat() as { method: string; params?: unknown[] }[];
      const broadcast = calls.find((c) => c.method === "eth_sendRawTransaction");
      if (Date.now() < seen.outageUntil) {
        seen.refused++;
        response.writeHead(503, { "content-type": "text/plain" }).end("upstream unavailable");
        return;
      }
      const upstream = await fetch(devnet.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const answer = await upstream.text();
      if (broadcast) seen.rawTransactions.push(broadcast.params![0] as Hex);
      if (broadcast && seen.armed) {
        // The node has the transaction; the agent never hears so, and the RPC is down for a while.
        seen.armed = false;
        seen.outageUntil = Date.now() + outageMs;
        seen.refused++;
        response.writeHead(503, { "content-type": "text/plain" }).end("upstream unavailable");
        return;
      }
      response.writeHead(upstream.status, { "content-type": "application/json" }).end(answer);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  host = await startHostProcess({
    database: "postgres",
    env: { RATE_LIMIT_PER_MINUTE: "100000", RPC_URL: `http://127.0.0.1:${port}` },
  });
  database = new pg.Client({ connectionString: host.env.DATABASE_URL });
  await database.connect();
}, 240_000);

afterAll(async () => {
  await database?.end().catch(() => {});
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
  await new Promise((resolve) => proxy?.close(resolve));
  await devnet?.stop();
});

describe("behavior: an RPC outage around a transfer's broadcast", () => {
  it("retries without failing or releasing, and the run completes once: one transaction, settled once", async () => {
    const client = createPublicClient({ transport: http(devnet.rpcUrl) });
    const usdc = devnet.addresses.usdc;
    const before = await client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [recipient],
    });
    const fromBlock = await client.getBlockNumber();

    const accepted = await execute(host, { command: `send 5 USDC to ${recipient}` });
    const run = await waitForRun(
      host,
      accepted.runId,
      ["completed", "failed", "cancelled"],
      90_000,
    );
    expect(run.status, JSON.stringify(run.error)).toBe("completed");
    expect(seen.armed).toBe(false); // the outage really happened around the broadcast
    expect(seen.refused).toBeGreaterThan(1);

    const transfer = run.steps.find((s: { action: string }) => s.action === "transfer");
    expect(transfer.status).toBe("completed");
    expect(transfer.attempts).toBeGreaterThan(1);

    // One transaction: every broadcast carried the same signed bytes, and one transfer landed.
    expect(new Set(seen.rawTransactions.map((raw) => keccak256(raw))).size).toBe(1);
    const after = await client.readContract({
      address: usdc,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [recipient],
    });
    expect(after - before).toBe(5_000_000n);
    const logs = await client.getLogs({
      address: usdc,
      event: parseAbiItem(
        "event Transfer(address indexed from, address indexed to, uint256 value)",
      ),
      args: { to: recipient },
      fromBlock,
    });
    expect(logs).toHaveLength(1);
    const recorded = await database.query(
      "select hash, status from chain_transactions where run_id = $1",
      [accepted.runId],
    );
    expect(recorded.rows).toEqual([{ hash: logs[0]!.transactionHash, status: "confirmed" }]);

    // The budget: one reservation for the transfer, settled once for exactly what moved.
    const ledger = await database.query(
      "select status, amount, token from spend_ledger where run_id = $1",
      [accepted.runId],
    );
    expect(ledger.rows).toEqual([{ status: "settled", amount: "5000000", token: "USDC" }]);
  });
});
