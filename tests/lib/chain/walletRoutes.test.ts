import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GET as getBalance } from "../../../api/wallet/balance.js";
import { GET as getTransactions } from "../../../api/wallet/transactions.js";
import { createApiKey } from "../../../lib/auth/apiKeys.js";
import { createChainContext, resetChainContext } from "../../../lib/chain/clients.js";
import { transferToken } from "../../../lib/chain/transferToken.js";
import { resetConfig } from "../../../lib/config.js";
import { closeDb } from "../../../lib/db/index.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

let devnet: TestDevnet;
let testDb: TestDb;
let admin: { key: string };
let sessions: { key: string };
const saved = { ...process.env };

beforeAll(async () => {
  [devnet, testDb] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  process.env.DATABASE_URL = testDb.url;
  process.env.PAYGENT_NETWORK = "devnet";
  process.env.RPC_URL = devnet.rpcUrl;
  delete process.env.AGENT_PRIVATE_KEY;
  delete process.env.AUTH_DISABLED;
  resetConfig();
  resetChainContext();
  await closeDb();
  admin = await createApiKey(testDb.db, { name: "root", scope: "admin" });
  sessions = await createApiKey(testDb.db, { name: "app", scope: "sessions" });
  const context = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
  for (const index of [1, 2, 3]) {
    await transferToken(context, testDb.db, {
      stepId: `api-${index}`,
      token: "USDC",
      to: devnet.accounts.merchant.address,
      amount: BigInt(index),
    });
  }
});
afterAll(async () => {
  await closeDb();
  process.env = saved;
  resetConfig();
  resetChainContext();
  await Promise.all([devnet?.stop(), testDb?.dispose()]);
});

const get = (path: string, key?: string) =>
  new Request(`http://localhost${path}`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });

describe("GET /api/wallet/balance", () => {
  test("behavior: the agent's balances for the requested tokens", async () => {
    const response = await getBalance(get("/api/wallet/balance?tokens=CRO,USDC", admin.key));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      chainId: number;
      address: string;
      balances: { symbol: string; amount: string }[];
    };
    expect(body.chainId).toBe(31337);
    expect(body.address).toBe(devnet.accounts.agent.address);
    expect(body.balances.map((balance) => balance.symbol)).toEqual(["CRO", "USDC"]);
    // 10,000 USDC funded, 6 base units sent by the setup transfers.
    expect(body.balances[1]?.amount).toBe("9999999994");
  });

  test("error: unknown token is a 400 naming it; no key is a 401", async () => {
    const unknown = await getBalance(get("/api/wallet/balance?tokens=DOGE", admin.key));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /DOGE/,
    );
    expect((await getBalance(get("/api/wallet/balance"))).status).toBe(401);
  });
});

describe("GET /api/wallet/transactions", () => {
  test("behavior: newest first, paginated with a cursor, gas cost included", async () => {
    const first = await getTransactions(get("/api/wallet/transactions?limit=2", admin.key));
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as {
      transactions: { stepId: string; gasCost: string; status: string }[];
      nextCursor: string;
    };
    expect(page1.transactions.map((tx) => tx.stepId)).toEqual(["api-3", "api-2"]);
    expect(
      page1.transactions.every((tx) => tx.status === "confirmed" && BigInt(tx.gasCost) > 0n),
    ).toBe(true);
    const second = await getTransactions(
      get(`/api/wallet/transactions?limit=2&cursor=${page1.nextCursor}`, admin.key),
    );
    const page2 = (await second.json()) as {
      transactions: { stepId: string }[];
      nextCursor: string | null;
    };
    expect(page2.transactions.map((tx) => tx.stepId)).toEqual(["api-1"]);
    expect(page2.nextCursor).toBeNull();
  });

  test("behavior: a session key sees only its own runs' transactions", async () => {
    const response = await getTransactions(get("/api/wallet/transactions", sessions.key));
    expect(((await response.json()) as { transactions: unknown[] }).transactions).toEqual([]);
  });

  test("error: a forged cursor is a 400", async () => {
    const response = await getTransactions(
      get("/api/wallet/transactions?cursor=bm9wZQ", admin.key),
    );
    expect(response.status).toBe(400);
  });
});
