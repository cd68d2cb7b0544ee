import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { describe, expect, test } from "vitest";
import { webhookHeaders } from "../../lib/security/verifyWebhook.js";
import { waitForRun } from "../helpers/runs.js";
import { useHostProcess } from "../helpers/useHostProcess.js";

/**
 * A reviewer's probes of bad input against a real local host (Postgres): every client mistake is a
 * 4xx with a message naming what is wrong, never a 500, and nothing is written.
 */
const WEBHOOK_SECRET = "whsec_validation_test";

const host = useHostProcess({
  database: "postgres",
  env: { RATE_LIMIT_PER_MINUTE: "100000", WEBHOOK_SECRET },
});

/** What an error answer carries. */
interface ErrorBody {
  error: { code: string; message: string };
}

/** A raw HTTP/1.1 exchange, for methods fetch refuses to send (TRACE, CONNECT). */
async function raw(
  requestLine: string,
): Promise<{ status: number; headers: Record<string, string>; body: ErrorBody }> {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(host.port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("end", () => resolve(received));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    socket.write(`${requestLine}\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
  });
  const [head = "", ...rest] = text.split("\r\n\r\n");
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const at = line.indexOf(":");
      return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
    }),
  );
  let body: unknown = rest.join("\r\n\r\n");
  if (headers["transfer-encoding"] === "chunked") {
    // One chunk: "<size>\r\n<data>\r\n0\r\n\r\n".
    body = String(body).split("\r\n")[1] ?? "";
  }
  try {
    body = JSON.parse(String(body));
  } catch {}
  return { status: Number(statusLine.split(" ")[1]), headers, body: body as ErrorBody };
}

function expectNulRefusal(
  answer: { status: number; body: ErrorBody },
  where: "body" | "query",
  field: string,
) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body.error.code).toBe("validation_failed");
  expect(answer.body.error.message).toBe(
    `Invalid ${where}: ${field} — must not contain a NUL character`,
  );
}

describe("behavior: a NUL character anywhere is a 400 naming the field, never a 500", () => {
  test("in a query (%00)", async () => {
    for (const [path, field] of [
      ["/api/runs?cursor=%00", "cursor"],
      ["/api/agent/sessions?cursor=%00", "cursor"],
      ["/api/services?q=%00", "q"],
      ["/api/payments?sessionId=%00", "sessionId"],
      ["/api/wallet/transactions?runId=a%00b", "runId"],
      ["/api/notifications/deliveries?endpointId=%00", "endpointId"],
    ] as const) {
      expectNulRefusal(await host.request("GET", path), "query", field);
    }
  });

  test("in a JSON body, nested or not, and nothing is written", async () => {
    const before = await host.request("GET", "/api/services?limit=100");
    expect(before.status).toBe(200);
    expectNulRefusal(
      await host.request("POST", "/api/agent/execute", { command: "what is my balance\u0000" }),
      "body",
      "command",
    );
    expectNulRefusal(
      await host.request("POST", "/api/services", {
        name: "Q\u0000",
        category: "market-data",
        endpoint: "https://example.com/q",
        price: { amount: "1000", asset: "USDC", network: "eip155:338" },
      }),
      "body",
      "name",
    );
    expectNulRefusal(
      await host.request("POST", "/api/wallet/freeze", { reason: "x\u0000" }),
      "body",
      "reason",
    );
    expectNulRefusal(
      await host.request("POST", "/api/agent/sessions", {
        budget: { amount: "1", token: "USDC\u0000" },
      }),
      "body",
      "budget.token",
    );
    // Nothing half-written: no service appeared, and the wallet is not frozen (a command is accepted).
    const after = await host.request("GET", "/api/services?limit=100");
    expect(after.body.services).toEqual(before.body.services);
    const accepted = await host.request("POST", "/api/agent/execute", {
      command: "what is my balance",
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  });

  test("in a signed webhook body (read raw, refused after parsing)", async () => {
    const body = JSON.stringify({
      nonce: `0x${randomBytes(32).toString("hex")}`,
      status: "failed",
      reason: "x\u0000",
    });
    const response = await fetch(`${host.url}/api/webhooks/payment`, {
      method: "POST",
      headers: webhookHeaders({ secret: WEBHOOK_SECRET, body, eventId: `evt-${Date.now()}` }),
      body,
    });
    expectNulRefusal({ status: response.status, body: await response.json() }, "body", "reason");
  });
});

describe("behavior: methods no handler can take are 405 in the JSON error shape", () => {
  test("TRACE on a route answers 405 with what the route allows", async () => {
    // (TRACK, the other method fetch forbids, is already refused by Node's HTTP parser.)
    for (const method of ["TRACE"]) {
      const answer = await raw(`${method} /api/runs HTTP/1.1`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(405);
      expect(answer.headers["content-type"]).toMatch(/^application\/json/);
      expect(answer.headers.allow).toBe("GET");
      expect(answer.body.error).toEqual({
        code: "method_not_allowed",
        message: `${method} is not supported on /api/runs`,
      });
    }
  });

  test("CONNECT answers 405 too (Node hands it over as a raw socket)", async () => {
    const answer = await raw("CONNECT 127.0.0.1:443 HTTP/1.1");
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.status).toBe(405);
    expect(answer.body.error.code).toBe("method_not_allowed");
  });

  test("the facilitator's actions of the other method are 405, not a 400 about the path", async () => {
    const getVerify = await host.request("GET", "/api/facilitator/verify");
    expect(getVerify.status, JSON.stringify(getVerify.body)).toBe(405);
    expect(getVerify.headers.get("allow")).toBe("POST");
    expect(getVerify.body.error.code).toBe("method_not_allowed");
    const postSupported = await host.request("POST", "/api/facilitator/supported", {});
    expect(postSupported.status).toBe(405);
    expect(postSupported.headers.get("allow")).toBe("GET");
    expect((await host.request("GET", "/api/facilitator/supported")).status).toBe(200);
    // An action neither method serves is still the client's malformed path.
    expect((await host.request("GET", "/api/facilitator/nothing")).status).toBe(400);
  });
});

describe("behavior: a cursor that is not one is 400 Invalid cursor, not an empty or full page", () => {
  test("on runs, sessions and notification deliveries", async () => {
    // Runs and sessions exist, so a silently ignored cursor would show them.
    for (let i = 0; i < 2; i++) {
      const accepted = await host.request("POST", "/api/agent/execute", {
        command: "what is my balance",
      });
      expect(accepted.status).toBe(202);
    }
    for (const path of [
      "/api/runs?cursor=garbage",
      "/api/runs?cursor=%FF%FE",
      "/api/agent/sessions?cursor=garbage",
      "/api/agent/sessions?cursor=%FF%FE",
      "/api/notifications/deliveries?cursor=garbage",
    ]) {
      const answer = await host.request("GET", path);
      expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(400);
      expect(answer.body.error.message).toMatch(/^Invalid cursor/);
    }
    // A real cursor still pages.
    const first = await host.request("GET", "/api/runs?limit=1");
    expect(first.body.nextCursor).toMatch(/^run_/);
    const second = await host.request("GET", `/api/runs?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body.runs[0].id < first.body.runs[0].id).toBe(true);
  });
});

describe("behavior: recipient addresses are checked at input", () => {
  const transfer = (to: string) =>
    host.request("POST", "/api/wallet/transfer", { to, amount: "1", token: "USDC" });

  test("a wrong EIP-55 checksum and the zero address are 400 naming `to`", async () => {
    const wrongChecksum = await transfer("0x9965507D1a55bcC2695C58ba16FB37d819B0A4DC");
    expect(wrongChecksum.status, JSON.stringify(wrongChecksum.body)).toBe(400);
    expect(wrongChecksum.body.error.message).toMatch(/^Invalid body: to — .*EIP-55 checksum/);
    const zero = await transfer("0x0000000000000000000000000000000000000000");
    expect(zero.status).toBe(400);
    expect(zero.body.error.message).toMatch(/^Invalid body: to — must not be the zero address/);
  });

  test("all-lowercase and all-uppercase addresses stay valid, and their transfers complete", async () => {
    for (const to of [
      "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
      "0x9965507D1A55BCC2695C58BA16FB37D819B0A4DC",
    ]) {
      const answer = await transfer(to);
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      // Taken in its checksummed form, the one the chain step accepts.
      expect(answer.body.to).toBe("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc");
      const run = await waitForRun(host, answer.body.runId);
      expect(run.status, JSON.stringify(run.error)).toBe("completed");
    }
  });
});

describe("behavior: content types and messages a client can act on", () => {
  test("a body that is not declared as JSON is 415", async () => {
    const answer = await host.request(
      "POST",
      "/api/agent/execute",
      { command: "what is my balance" },
      { "content-type": "application/notjson" },
    );
    expect(answer.status).toBe(415);
    expect(answer.body.error.code).toBe("unsupported_media_type");
    const withCharset = await host.request(
      "POST",
      "/api/agent/execute",
      { command: "what is my balance" },
      { "content-type": "application/json; charset=utf-8" },
    );
    expect(withCharset.status).toBe(202);
  });

  test("a missing field is 'required'; an out-of-range limit states the route's max", async () => {
    const missing = await host.request("POST", "/api/agent/execute", {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe("Invalid body: command — is required");
    const huge = await host.request("GET", "/api/runs?limit=1e99");
    expect(huge.status).toBe(400);
    expect(huge.body.error.message).toBe("Invalid query: limit — must be at most 100");
  });

  test("a dailyLimit refusal names dailyLimit, not budget", async () => {
    for (const [method, path] of [["POST", "/api/agent/sessions"]] as const) {
      const answer = await host.request(method, path, {
        dailyLimit: { amount: "0", token: "USD" },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error.message).toBe("dailyLimit: must be more than 0 USD");
    }
    const session = await host.request("POST", "/api/agent/sessions", {});
    expect(session.status).toBe(201);
    const patch = await host.request("PATCH", `/api/agent/sessions/${session.body.id}`, {
      dailyLimit: { amount: "0", token: "USD" },
    });
    expect(patch.status).toBe(400);
    expect(patch.body.error.message).toBe("dailyLimit: must be more than 0 USD");
  });
});

describe("behavior: request headers a client gets wrong are 4xx naming the header", () => {
  test("a body with content-encoding other than identity is 415, on JSON and signed webhook bodies", async () => {
    const answer = await host.request(
      "POST",
      "/api/agent/execute",
      { command: "what is my balance" },
      { "content-encoding": "gzip" },
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(415);
    expect(answer.body.error).toEqual({
      code: "unsupported_media_type",
      message: "content-encoding gzip is not accepted; send the body unencoded",
    });
    const body = JSON.stringify({
      nonce: `0x${randomBytes(32).toString("hex")}`,
      status: "failed",
    });
    const webhook = await fetch(`${host.url}/api/webhooks/payment`, {
      method: "POST",
      headers: {
        ...webhookHeaders({ secret: WEBHOOK_SECRET, body, eventId: `evt-enc-${Date.now()}` }),
        "content-encoding": "gzip",
      },
      body,
    });
    expect(webhook.status).toBe(415);
    expect(((await webhook.json()) as ErrorBody).error.message).toBe(
      "content-encoding gzip is not accepted; send the body unencoded",
    );
  });

  test("a signed payment webhook's malformed transaction is named in plain words", async () => {
    const body = JSON.stringify({
      nonce: `0x${randomBytes(32).toString("hex")}`,
      status: "settled",
      transaction: "0x1234",
    });
    const response = await fetch(`${host.url}/api/webhooks/payment`, {
      method: "POST",
      headers: webhookHeaders({ secret: WEBHOOK_SECRET, body, eventId: `evt-tx-${Date.now()}` }),
      body,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.message).toBe(
      "Invalid body: transaction — must be a 0x-prefixed 32-byte transaction hash",
    );
  });

  test("a Last-Event-ID that is not an event id is 400, not a replay of the whole stream", async () => {
    const accepted = await host.request("POST", "/api/agent/execute", {
      command: "what is my balance",
    });
    expect(accepted.status).toBe(202);
    const runId = accepted.body.runId as string;
    await waitForRun(host, runId);
    const events = `/api/runs/${runId}/events`;
    for (const bad of ["garbage", "-1", "1.5", "12abc", "9".repeat(19)]) {
      const answer = await host.request("GET", events, undefined, { "last-event-id": bad });
      expect(answer.status, `${bad}: ${JSON.stringify(answer.body)}`).toBe(400);
      expect(answer.body.error).toEqual({
        code: "bad_request",
        message: "Last-Event-ID must be an event id from this stream",
      });
    }
    const badQuery = await host.request("GET", `${events}?lastEventId=garbage`);
    expect(badQuery.status).toBe(400);
    // Absent: the whole stream, from the start.
    const all = await host.request("GET", events);
    expect(all.status).toBe(200);
    expect(String(all.body)).toMatch(/event: run\.accepted[\s\S]*event: run\.completed/);
  });
});
