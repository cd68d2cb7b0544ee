import { beforeAll, describe, expect, test } from "vitest";
import { GET as listPayments } from "../../api/payments/index.js";
import { GET as discover } from "../../api/services/discover.js";
import { GET as listSubscriptions } from "../../api/subscriptions/index.js";
import { GET as listTransactions } from "../../api/wallet/transactions.js";
import { createKey } from "../../lib/auth/createKey.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

/**
 * A crafted pagination cursor is the client's 400 naming the cursor, never a 500: an impossible
 * timestamp would fail Postgres's ::timestamptz cast, a NUL inside the base64 would fail as text.
 */
const testDb = useScratchProcessDb({
  env: { RATE_LIMIT_PER_MINUTE: "100000" },
  unset: ["REDIS_URL", "UPSTASH_REDIS_REST_URL", "KV_REST_API_URL", "AUTH_DISABLED"],
});
let adminKey: string;

beforeAll(async () => {
  adminKey = (await createKey(testDb.db, { name: "root", role: "admin" })).key;
});

/** A cursor the way the routes hand them out: base64url JSON. */
const forge = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

const hash = `0x${"aa".repeat(32)}`;

async function get(
  handler: (request: Request) => Promise<Response>,
  path: string,
): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const response = await handler(
    new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${adminKey}` } }),
  );
  return { status: response.status, body: (await response.json()) as never };
}

describe("error: a crafted cursor is a 400 naming the cursor", () => {
  test.each([
    [
      "subscriptions, t not a timestamp",
      listSubscriptions,
      "/api/subscriptions",
      { t: "not-a-timestamp", id: "x" },
    ],
    [
      "subscriptions, NUL in id",
      listSubscriptions,
      "/api/subscriptions",
      { t: "2024-01-01T00:00:00Z", id: "a\u0000" },
    ],
    ["payments, impossible date", listPayments, "/api/payments", ["2024-99-99T99:99:99Z", "x"]],
    ["payments, 30 February", listPayments, "/api/payments", ["2024-02-30 00:00:00+00", "x"]],
    ["payments, NUL in id", listPayments, "/api/payments", ["2024-01-01T00:00:00Z", "a\u0000"]],
    [
      "transactions, month 13",
      listTransactions,
      "/api/wallet/transactions",
      ["2024-13-01T00:00:00Z", hash],
    ],
    [
      "transactions, offset out of range",
      listTransactions,
      "/api/wallet/transactions",
      ["2024-01-01 00:00:00+99", hash],
    ],
    [
      "discover, NUL in id",
      discover,
      "/api/services/discover",
      { s: "reputation", v: "1", id: "a\u0000" },
    ],
  ] as const)("%s", async (_, handler, path, cursor) => {
    const answer = await get(handler, `${path}?cursor=${forge(cursor)}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error?.code).toBe("bad_request");
    expect(answer.body.error?.message).toMatch(/^Invalid cursor: pass nextCursor/);
  });

  test("a cursor of the right shape still pages (an empty page here)", async () => {
    for (const [handler, path, cursor] of [
      [
        listSubscriptions,
        "/api/subscriptions",
        { t: "2024-01-01 00:00:00.123456+00", id: "sub_x" },
      ],
      [
        listPayments,
        "/api/payments",
        ["2024-01-01 00:00:00.5+05:30", "pay_0123456789abcdef01234567"],
      ],
      [listTransactions, "/api/wallet/transactions", ["2024-02-29T23:59:59Z", hash]],
      [discover, "/api/services/discover", { s: "reputation", v: "1.5", id: "svc_x" }],
    ] as const) {
      const answer = await get(handler, `${path}?cursor=${forge(cursor)}`);
      expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(200);
    }
  });
});
