import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiKey } from "../../../lib/auth/apiKeys.js";
import { resetConfig } from "../../../lib/config.js";
import { closeDb } from "../../../lib/db/index.js";
import { getPayment, listPayments, paymentStats } from "../../../lib/x402/payments.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

let db: TestDb;
let adminKey: string;
let ownerKey: { id: string; key: string };
let otherKey: string;

const USDC = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const VVS = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

beforeAll(async () => {
  db = await createTestDb("pg");
  process.env.DATABASE_URL = db.url;
  delete process.env.AUTH_DISABLED;
  resetConfig();
  await closeDb();
  adminKey = (await createApiKey(db.db, { name: "admin", scope: "admin" })).key;
  ownerKey = await createApiKey(db.db, { name: "owner", scope: "sessions" });
  otherKey = (await createApiKey(db.db, { name: "other", scope: "sessions" })).key;
  await db.db
    .insertInto("agent_sessions")
    .values([
      { id: "ses_a", api_key_id: ownerKey.id },
      { id: "ses_b", api_key_id: null },
    ])
    .execute();
  const row = (
    i: number,
    session: string,
    asset: string,
    network: string,
    status: "pending" | "settled" | "failed" | "unknown",
    amount: string,
  ) => ({
    id: `pay_${String(i).padStart(3, "0")}`,
    session_id: session,
    resource_url: "https://api.example.test/data",
    amount,
    asset,
    network,
    pay_to: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    nonce: `0x${i.toString(16).padStart(64, "0")}`,
    status,
    created_at: new Date(Date.UTC(2026, 10, 25, 10, 0, i)),
  });
  await db.db
    .insertInto("payments")
    .values([
      row(1, "ses_a", USDC, "eip155:31337", "settled", "100000"),
      row(2, "ses_a", USDC, "eip155:31337", "settled", "50000"),
      row(3, "ses_a", USDC, "eip155:31337", "pending", "7"),
      row(4, "ses_a", VVS, "eip155:31337", "settled", "1000000000000000000"),
      row(5, "ses_b", USDC, "eip155:31337", "failed", "100000"),
      row(6, "ses_b", USDC, "eip155:25", "settled", "3"),
      row(7, "ses_a", USDC, "eip155:31337", "unknown", "42"),
    ])
    .execute();
});

afterAll(async () => {
  await closeDb();
  await db?.dispose();
  delete process.env.DATABASE_URL;
  resetConfig();
});

describe("payments repository", () => {
  test("behavior: pages newest first with a cursor, without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await listPayments(db.db, { limit: 4, cursor });
      seen.push(...page.payments.map((p) => p.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([
      "pay_007",
      "pay_006",
      "pay_005",
      "pay_004",
      "pay_003",
      "pay_002",
      "pay_001",
    ]);
  });

  test("args: status, session, time window and owner filters", async () => {
    const ids = async (parameters: Parameters<typeof listPayments>[1]) =>
      (await listPayments(db.db, parameters)).payments.map((p) => p.id);
    expect(await ids({ status: "settled" })).toEqual(["pay_006", "pay_004", "pay_002", "pay_001"]);
    expect(await ids({ sessionId: "ses_b" })).toEqual(["pay_006", "pay_005"]);
    expect(await ids({ status: "unknown" })).toEqual(["pay_007"]);
    expect(
      await ids({
        from: new Date(Date.UTC(2026, 10, 25, 10, 0, 2)),
        to: new Date(Date.UTC(2026, 10, 25, 10, 0, 4)),
      }),
    ).toEqual(["pay_003", "pay_002"]);
    expect(await ids({ ownerKeyId: ownerKey.id })).toEqual([
      "pay_007",
      "pay_004",
      "pay_003",
      "pay_002",
      "pay_001",
    ]);
  });

  test("behavior: stats are per (asset, network) and never add different tokens", async () => {
    const stats = await paymentStats(db.db);
    expect(stats).toEqual([
      {
        asset: USDC,
        network: "eip155:25",
        count: 1,
        settledCount: 1,
        pendingCount: 0,
        failedCount: 0,
        unknownCount: 0,
        settledAmount: "3",
        pendingAmount: "0",
        unknownAmount: "0",
      },
      {
        asset: USDC,
        network: "eip155:31337",
        count: 5,
        settledCount: 2,
        pendingCount: 1,
        failedCount: 1,
        unknownCount: 1,
        settledAmount: "150000",
        pendingAmount: "7",
        unknownAmount: "42",
      },
      {
        asset: VVS,
        network: "eip155:31337",
        count: 1,
        settledCount: 1,
        pendingCount: 0,
        failedCount: 0,
        unknownCount: 0,
        settledAmount: "1000000000000000000",
        pendingAmount: "0",
        unknownAmount: "0",
      },
    ]);
  });

  test("error: a tampered cursor is a 400, not a 500", async () => {
    await expect(listPayments(db.db, { cursor: "bm90LWpzb24" })).rejects.toMatchObject({
      code: "bad_request",
      message: "Invalid cursor: pass nextCursor from the previous page",
    });
    expect(await getPayment(db.db, "pay_missing")).toBeUndefined();
  });
});

/** The JSON shapes the payments endpoints answer with. */
interface ApiBody {
  payments: { id: string; status: string }[];
  payment: Record<string, unknown>;
  stats: Record<string, unknown>[];
  error: { code: string };
}

describe("payments API", () => {
  const call = async (path: string, key?: string) => {
    const url = `http://localhost${path}`;
    const module = path.startsWith("/api/payments/stats")
      ? await import("../../../api/payments/stats.js")
      : /^\/api\/payments\/pay_/.test(path)
        ? await import("../../../api/payments/[id].js")
        : await import("../../../api/payments/index.js");
    const response = await module.GET(
      new Request(url, { headers: key ? { authorization: `Bearer ${key}` } : {} }),
    );
    return { status: response.status, body: (await response.json()) as ApiBody };
  };

  test("error: no key → 401", async () => {
    expect((await call("/api/payments")).status).toBe(401);
  });

  test("behavior: admins see every payment; session keys only their sessions'", async () => {
    const admin = await call("/api/payments?limit=10", adminKey);
    expect(admin.status).toBe(200);
    expect(admin.body.payments).toHaveLength(7);
    const owner = await call("/api/payments?status=settled", ownerKey.key);
    expect(owner.body.payments.map((p) => p.id)).toEqual(["pay_004", "pay_002", "pay_001"]);
    const other = await call("/api/payments", otherKey);
    expect(other.body.payments).toEqual([]);
  });

  test("behavior: one payment by id; another key's payment is a 404", async () => {
    const mine = await call("/api/payments/pay_001", ownerKey.key);
    expect(mine.status).toBe(200);
    expect(mine.body.payment).toMatchObject({
      id: "pay_001",
      amount: "100000",
      status: "settled",
      sessionId: "ses_a",
    });
    const foreign = await call("/api/payments/pay_001", otherKey);
    expect(foreign.status).toBe(404);
    // The 404 names what was asked for, never the owner's session (issue 20).
    expect(JSON.stringify(foreign.body)).not.toContain("ses_a");
    expect(JSON.stringify(foreign.body)).toContain("Payment pay_001 not found");
    expect((await call("/api/payments/pay_005", ownerKey.key)).status).toBe(404);
    expect((await call("/api/payments/pay_005", adminKey)).status).toBe(200);
  });

  test("args: stats for a session key cover its sessions only; bad query → 400", async () => {
    const stats = await call("/api/payments/stats", ownerKey.key);
    expect(stats.body.stats).toHaveLength(2);
    expect(stats.body.stats[0]).toMatchObject({
      asset: USDC,
      network: "eip155:31337",
      settledAmount: "150000",
      failedCount: 0,
    });
    const unknown = await call("/api/payments?status=unknown", adminKey);
    expect(unknown.status).toBe(200);
    expect(unknown.body.payments.map((p) => [p.id, p.status])).toEqual([["pay_007", "unknown"]]);
    const bad = await call("/api/payments?status=paid", adminKey);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
  });
});
