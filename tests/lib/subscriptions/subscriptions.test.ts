import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMemoryCache } from "../../../lib/cache/index.js";
import { createService } from "../../../lib/registry/index.js";
import {
  assertSubscriptionActive,
  cancelSubscription,
  createSubscription,
  endSubscription,
  getActiveSubscription,
  listSubscriptions,
  loadSubscriptionForRenewal,
  nextRenewal,
  recordRenewal,
  recordRenewalFailure,
  renewalReservationKey,
  SubscriptionConflictError,
  SubscriptionInactiveError,
} from "../../../lib/subscriptions/index.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

let testDb: TestDb;
let serviceId: string;
const cache = createMemoryCache();

beforeAll(async () => {
  testDb = await createTestDb("pg");
  const service = await createService(
    testDb.db,
    {
      name: "Feed",
      category: "news",
      endpoint: "http://127.0.0.1:9/feed",
      pricingModel: "subscription",
      price: {
        amount: "250000",
        asset: "0x0000000000000000000000000000000000000001",
        network: "eip155:338",
      },
    },
    { cache },
  );
  serviceId = service.id;
});

afterAll(async () => {
  await testDb?.dispose();
});

async function createSession(apiKeyId: string | null = null): Promise<string> {
  const id = `ses_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({
      id,
      api_key_id: apiKeyId,
      budget_amount: null,
      budget_token: null,
      daily_limit_amount: null,
      daily_limit_token: null,
      approval_threshold_usd: null,
    })
    .execute();
  return id;
}

describe("nextRenewal", () => {
  test("args: daily, weekly and monthly periods in UTC, clamping month ends", () => {
    const at = (iso: string) => new Date(iso);
    expect(nextRenewal("daily", at("2026-11-25T13:00:00Z")).toISOString()).toBe(
      "2026-11-26T13:00:00.000Z",
    );
    expect(nextRenewal("weekly", at("2026-12-29T00:00:00Z")).toISOString()).toBe(
      "2027-01-05T00:00:00.000Z",
    );
    expect(nextRenewal("monthly", at("2026-01-31T10:00:00Z")).toISOString()).toBe(
      "2026-02-28T10:00:00.000Z",
    );
    expect(nextRenewal("monthly", at("2028-01-31T10:00:00Z")).toISOString()).toBe(
      "2028-02-29T10:00:00.000Z",
    );
    expect(nextRenewal("monthly", at("2026-12-15T00:00:00Z")).toISOString()).toBe(
      "2027-01-15T00:00:00.000Z",
    );
  });
});

describe("lifecycle", () => {
  test("behavior: access starts when the first period is paid and ends with the period", async () => {
    const sessionId = await createSession();
    const start = new Date("2026-11-25T12:00:00Z");
    const sub = await createSubscription(
      testDb.db,
      { sessionId, serviceId, period: "daily" },
      { now: start },
    );
    expect(sub).toMatchObject({
      status: "active",
      renewals: 0,
      currentPeriodEnd: start.toISOString(),
    });
    await expect(
      assertSubscriptionActive(testDb.db, sessionId, serviceId, { now: start }),
    ).rejects.toMatchObject({
      name: "SubscriptionInactiveError",
      reason: "unpaid",
    });

    const due = await loadSubscriptionForRenewal(testDb.db, sub.id, { now: start });
    expect(due.action).toBe("renew");
    expect(due.action === "renew" && due.service.price.amount).toBe("250000");
    expect(renewalReservationKey(due.subscription)).toEqual({
      runId: `sub:${sub.id}`,
      stepIndex: 0,
    });

    const paid = await recordRenewal(testDb.db, {
      subscriptionId: sub.id,
      expectedPeriodEnd: due.subscription.currentPeriodEnd,
      now: start,
    });
    expect(paid).toMatchObject({
      recorded: true,
      subscription: { renewals: 1, currentPeriodEnd: "2026-11-26T12:00:00.000Z" },
    });
    // A retried step records nothing more.
    const retried = await recordRenewal(testDb.db, {
      subscriptionId: sub.id,
      expectedPeriodEnd: due.subscription.currentPeriodEnd,
      now: start,
    });
    expect(retried).toMatchObject({ recorded: false, subscription: { renewals: 1 } });

    const noon = new Date("2026-11-26T11:59:59Z");
    expect((await getActiveSubscription(testDb.db, sessionId, serviceId, { now: noon }))?.id).toBe(
      sub.id,
    );
    expect(await loadSubscriptionForRenewal(testDb.db, sub.id, { now: noon })).toMatchObject({
      action: "wait",
      until: "2026-11-26T12:00:00.000Z",
    });
    const after = new Date("2026-11-26T12:00:01Z");
    expect(
      await getActiveSubscription(testDb.db, sessionId, serviceId, { now: after }),
    ).toBeUndefined();
    const error = await assertSubscriptionActive(testDb.db, sessionId, serviceId, {
      now: after,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(SubscriptionInactiveError);
    expect(error.message.replace(sessionId, "<session>").replace(serviceId, "<service>")).toBe(
      "Session <session> has an expired subscription to service <service> (paid until 2026-11-26T12:00:00.000Z)",
    );
  });

  test("behavior: cancelling stops renewals but keeps the paid period; one active per service", async () => {
    const sessionId = await createSession();
    const start = new Date();
    const sub = await createSubscription(
      testDb.db,
      { sessionId, serviceId, period: "weekly" },
      { now: start },
    );
    await expect(
      createSubscription(testDb.db, { sessionId, serviceId, period: "daily" }),
    ).rejects.toBeInstanceOf(SubscriptionConflictError);
    await recordRenewal(testDb.db, {
      subscriptionId: sub.id,
      expectedPeriodEnd: sub.currentPeriodEnd,
      now: start,
    });
    const cancelled = await cancelSubscription(testDb.db, sub.id);
    expect(cancelled.status).toBe("cancelled");
    expect((await cancelSubscription(testDb.db, sub.id)).cancelledAt).toBe(cancelled.cancelledAt);
    expect((await loadSubscriptionForRenewal(testDb.db, sub.id)).action).toBe("stop");
    expect((await assertSubscriptionActive(testDb.db, sessionId, serviceId)).id).toBe(sub.id);
    const later = new Date(start.getTime() + 8 * 24 * 60 * 60 * 1000);
    await expect(
      assertSubscriptionActive(testDb.db, sessionId, serviceId, { now: later }),
    ).rejects.toMatchObject({
      reason: "cancelled",
    });
    // After cancelling, the session may subscribe again.
    expect(
      (await createSubscription(testDb.db, { sessionId, serviceId, period: "daily" })).status,
    ).toBe("active");
  });

  test("behavior: concurrent subscribes of one session create exactly one subscription", async () => {
    const sessionId = await createSession();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        createSubscription(testDb.db, { sessionId, serviceId, period: "monthly" }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(
      results.filter(
        (r) => r.status === "rejected" && r.reason instanceof SubscriptionConflictError,
      ),
    ).toHaveLength(9);
  });

  test("behavior: repeated renewal failures stop the subscription; insufficient budget expires it", async () => {
    const sessionId = await createSession();
    const sub = await createSubscription(testDb.db, { sessionId, serviceId, period: "daily" });
    let failures = 0;
    for (let i = 0; i < 3; i++) {
      const result = await recordRenewalFailure(testDb.db, {
        subscriptionId: sub.id,
        expectedFailures: failures,
        reason: "facilitator down",
      });
      // Retrying the same attempt does not count twice.
      await recordRenewalFailure(testDb.db, {
        subscriptionId: sub.id,
        expectedFailures: failures,
        reason: "retry",
      });
      failures = result.subscription.consecutiveFailures;
      expect(result.stopped).toBe(i === 2);
    }
    expect(failures).toBe(3);
    expect(await loadSubscriptionForRenewal(testDb.db, sub.id)).toMatchObject({
      action: "stop",
      reason: "subscription is failed",
    });

    const other = await createSession();
    const sub2 = await createSubscription(testDb.db, {
      sessionId: other,
      serviceId,
      period: "daily",
    });
    const ended = await endSubscription(testDb.db, {
      subscriptionId: sub2.id,
      status: "expired",
      reason: "budget",
    });
    expect(ended.status).toBe("expired");
    await expect(assertSubscriptionActive(testDb.db, other, serviceId)).rejects.toMatchObject({
      reason: "expired",
    });
  });

  test("error: unknown session or service", async () => {
    const sessionId = await createSession();
    await expect(
      createSubscription(testDb.db, { sessionId, serviceId: "svc_nope", period: "daily" }),
    ).rejects.toMatchObject({ kind: "not_found" });
    await expect(
      createSubscription(testDb.db, { sessionId: "ses_nope", serviceId, period: "daily" }),
    ).rejects.toMatchObject({ kind: "not_found" });
    await expect(
      createSubscription(testDb.db, { sessionId, serviceId, period: "yearly" as "daily" }),
    ).rejects.toMatchObject({ code: "validation_failed" });
    await expect(assertSubscriptionActive(testDb.db, sessionId, serviceId)).rejects.toMatchObject({
      reason: "none",
    });
  });
});

test("behavior: listSubscriptions pages newest first and filters by owner key", async () => {
  const keyId = `key_${randomUUID().slice(0, 8)}`;
  await testDb.db
    .insertInto("api_keys")
    .values({ id: keyId, name: "t", key_hash: keyId, role: "agent" })
    .execute();
  const mine = await createSession(keyId);
  const services = [];
  for (let i = 0; i < 5; i++) {
    const s = await createService(
      testDb.db,
      {
        name: `List ${keyId} ${i}`,
        category: "news",
        endpoint: "http://127.0.0.1:9/x",
        price: {
          amount: "1",
          asset: "0x0000000000000000000000000000000000000001",
          network: "eip155:338",
        },
      },
      { cache },
    );
    services.push(s.id);
  }
  const created = [];
  for (const id of services)
    created.push(
      (await createSubscription(testDb.db, { sessionId: mine, serviceId: id, period: "daily" })).id,
    );
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listSubscriptions(testDb.db, { apiKeyId: keyId, limit: 2, cursor });
    seen.push(...page.subscriptions.map((s) => s.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(seen).toEqual([...created].reverse());
  expect((await listSubscriptions(testDb.db, { apiKeyId: "key_other" })).subscriptions).toEqual([]);
});
