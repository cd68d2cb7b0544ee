import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMemoryCache } from "../../../lib/cache/index.js";
import { resetConfig } from "../../../lib/config.js";
import { createEndpoint } from "../../../lib/notifications/createEndpoint.js";
import { deliverDueNotifications } from "../../../lib/notifications/deliverDueNotifications.js";
import { emitNotification } from "../../../lib/notifications/emitNotification.js";
import { listDeliveries } from "../../../lib/notifications/listDeliveries.js";
import { disableEndpoint } from "../../../lib/notifications/listEndpoints.js";
import { notifyApprovalRequired } from "../../../lib/notifications/notifyApprovalRequired.js";
import { notifyRunFinished } from "../../../lib/notifications/notifyRunFinished.js";
import { verifyWebhook } from "../../../lib/security/verifyWebhook.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

/** A real HTTP receiver on 127.0.0.1 that answers with the statuses it is given, in order. */
interface Receiver {
  url: string;
  received: { headers: IncomingHttpHeaders; body: string }[];
  statuses: number[];
  server: Server;
}

async function startReceiver(statuses: number[]): Promise<Receiver> {
  const receiver: Receiver = { url: "", received: [], statuses, server: createServer() };
  receiver.server.on("request", (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      receiver.received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      response.statusCode = receiver.statuses.shift() ?? 200;
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/paygent`;
  return receiver;
}

let testDb: TestDb;
const receivers: Receiver[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  testDb = await createTestDb("pg");
  process.env.PUBLIC_BASE_URL = "https://paygent.example";
  resetConfig();
});

afterAll(async () => {
  for (const receiver of receivers) receiver.server.close();
  process.env = saved;
  resetConfig();
  await testDb?.dispose();
});

/** Checks a received delivery with Paygent's own inbound verifier (same scheme). */
async function verify(secret: string, delivery: Receiver["received"][number]) {
  const request = new Request("http://receiver/paygent", {
    method: "POST",
    headers: delivery.headers as Record<string, string>,
    body: delivery.body,
  });
  return await verifyWebhook(request, { secret, cache: createMemoryCache() });
}

const deliver = (now?: Date) => deliverDueNotifications(testDb.db, { allowPrivate: true, now });

describe("deliverDueNotifications", () => {
  test("behavior: a receiver that answers 500 once then 200 gets approval.required twice, validly signed both times", async () => {
    const receiver = await startReceiver([500, 200]);
    receivers.push(receiver);
    const endpoint = await createEndpoint(testDb.db, {
      url: receiver.url,
      events: ["approval.required"],
      allowPrivate: true,
    });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const expiresAt = new Date(Date.now() + 3_600_000);
    const token = "apr_0123456789abcdefghjkmnpqrs";
    const parameters = {
      token,
      runId: "run_0123456789abcdefghjkmnpqrs",
      stepIndex: 1,
      agentKeyId: "key_agent",
      actionSummary: "transfer 30 USDC to 0x1111…1111",
      reason: "held: 30 USDC is above the 10 USD threshold; needs 2 approvals",
      requiredApprovals: 2,
      expiresAt,
    };
    expect((await notifyApprovalRequired(testDb.db, parameters)).enqueued).toBe(1);
    // The same approval again (a retried step) enqueues nothing new.
    expect((await notifyApprovalRequired(testDb.db, parameters)).enqueued).toBe(0);

    expect(await deliver()).toEqual({ attempted: 1, delivered: 0, retrying: 1, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    // Not due yet: the first retry waits 10 s.
    expect((await deliver()).attempted).toBe(0);
    expect(await deliver(new Date(Date.now() + 11_000))).toEqual({
      attempted: 1,
      delivered: 1,
      retrying: 0,
      failed: 0,
    });
    expect(receiver.received).toHaveLength(2);

    const [first, second] = receiver.received;
    for (const delivery of [first!, second!]) {
      const verified = await verify(endpoint.secret, delivery);
      expect(verified.body).toMatchObject({
        type: "approval.required",
        data: {
          token,
          requiredApprovals: 2,
          link: `https://paygent.example/#approval=${token}`,
          summary: `Run run_0123456789abcdefghjkmnpqrs wants to transfer 30 USDC to 0x1111…1111; held: 30 USDC is above the 10 USD threshold; needs 2 approvals. Decide before ${expiresAt.toISOString()}: https://paygent.example/#approval=${token}`,
        },
      });
    }
    expect(first!.body).toBe(second!.body);
    expect(first!.headers["x-paygent-event-id"]).toBe(second!.headers["x-paygent-event-id"]);
    await expect(verify("whsec_wrong", first!)).rejects.toMatchObject({ status: 401 });

    const { deliveries } = await listDeliveries(testDb.db, { endpointId: endpoint.id });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      status: "delivered",
      eventType: "approval.required",
      nextAttemptAt: null,
      attempts: [
        { attempt: 1, statusCode: 500, error: "HTTP 500" },
        { attempt: 2, statusCode: 200, error: null },
      ],
    });
  });

  test("behavior: retries stop 24 hours after the event; a refused connection is an attempt too", async () => {
    const endpoint = await createEndpoint(testDb.db, {
      url: "http://127.0.0.1:9/closed",
      events: ["run.failed"],
      allowPrivate: true,
    });
    const created = new Date("2026-11-30T00:00:00.000Z");
    await emitNotification(testDb.db, {
      type: "run.failed",
      data: { runId: "run_x" },
      now: created,
    });
    expect(await deliver(created)).toEqual({ attempted: 1, delivered: 0, retrying: 1, failed: 0 });
    expect((await deliver(new Date("2026-11-30T23:59:45.000Z"))).failed).toBe(1);
    const { deliveries } = await listDeliveries(testDb.db, { endpointId: endpoint.id });
    expect(deliveries[0]).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(deliveries[0]!.attempts).toHaveLength(2);
    expect(deliveries[0]!.attempts[0]!.statusCode).toBeNull();
    expect(deliveries[0]!.attempts[0]!.error).toBeTruthy();
  });

  test("behavior: only subscribed, enabled endpoints get an event; a disabled endpoint's pending delivery fails", async () => {
    const receiver = await startReceiver([]);
    receivers.push(receiver);
    const frozen = await createEndpoint(testDb.db, {
      url: receiver.url,
      events: ["key.frozen"],
      allowPrivate: true,
    });
    const other = await createEndpoint(testDb.db, {
      url: receiver.url,
      events: ["run.completed"],
      allowPrivate: true,
    });
    const now = new Date();
    await emitNotification(testDb.db, { type: "key.frozen", data: { keyId: "key_a" }, now });
    await disableEndpoint(testDb.db, frozen.id);
    await emitNotification(testDb.db, { type: "key.frozen", data: { keyId: "key_b" }, now });
    await deliver(now);
    expect(receiver.received).toHaveLength(0);
    expect((await listDeliveries(testDb.db, { endpointId: frozen.id })).deliveries).toMatchObject([
      { status: "failed", attempts: [{ error: "endpoint disabled" }] },
    ]);
    expect((await listDeliveries(testDb.db, { endpointId: other.id })).deliveries).toEqual([]);
  });

  test("behavior: run.completed is enqueued once per run", async () => {
    const endpoint = await createEndpoint(testDb.db, {
      url: "http://127.0.0.1:9/runs",
      events: ["run.completed", "run.failed"],
      allowPrivate: true,
    });
    const run = {
      runId: "run_done",
      status: "completed" as const,
      agentKeyId: "key_a",
      summary: "paid 0.1 USDC",
    };
    // One delivery per subscribed endpoint (an earlier test's endpoint listens to run.completed too).
    expect((await notifyRunFinished(testDb.db, run)).enqueued).toBe(2);
    expect((await notifyRunFinished(testDb.db, run)).enqueued).toBe(0);
    const { deliveries } = await listDeliveries(testDb.db, { endpointId: endpoint.id });
    expect(deliveries).toMatchObject([{ eventType: "run.completed", status: "pending" }]);
  });

  test("error: endpoints must be http(s) URLs the server may call", async () => {
    await expect(
      createEndpoint(testDb.db, { url: "ftp://example.com/x", events: ["run.failed"] }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      createEndpoint(testDb.db, {
        url: "http://169.254.169.254/latest",
        events: ["run.failed"],
        allowPrivate: false,
      }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      createEndpoint(testDb.db, { url: "https://example.com/x", events: [] }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
