import { HttpRequestError, TimeoutError } from "viem";
import { describe, expect, test } from "vitest";
import { CommandParseError } from "../../../lib/agent/errors.js";
import { BudgetExceededError } from "../../../lib/budget/errors.js";
import { ChainUnavailableError, TransactionRevertedError } from "../../../lib/chain/errors.js";
import {
  BaseError,
  ClientError,
  type ErrorKind,
  ServiceUnavailableError,
} from "../../../lib/errors/index.js";
import { answerByKind, errorResponse } from "../../../lib/http/errors.js";
import { ServiceConflictError, ServiceNotFoundError } from "../../../lib/registry/errors.js";
import { SubscriptionInactiveError } from "../../../lib/subscriptions/errors.js";

interface Answer {
  status: number;
  body: { error: { code: string; message: string; hints?: string[]; issues?: unknown } };
  headers: Headers;
}

async function answer(error: unknown): Promise<Answer> {
  const response = errorResponse(error);
  return {
    status: response.status,
    body: (await response.json()) as Answer["body"],
    headers: response.headers,
  };
}

describe("errorResponse", () => {
  test("behavior: each kind maps to its status through the one table", async () => {
    const expected: Record<ErrorKind, number> = {
      invalid: 422,
      not_found: 404,
      conflict: 409,
      refused: 422,
      transient: 503,
      fatal: 500,
    };
    for (const kind of Object.keys(expected) as ErrorKind[]) {
      const { status } = await answer(new BaseError("something", { kind }));
      expect(status, kind).toBe(expected[kind]);
      expect(answerByKind[kind].status).toBe(expected[kind]);
    }
  });

  test("behavior: domain errors answer by their class's kind, with message and hints", async () => {
    expect(await answer(new ServiceNotFoundError("svc_1"))).toMatchObject({
      status: 404,
      body: { error: { code: "not_found", message: "Service svc_1 not found" } },
    });
    expect((await answer(new ServiceConflictError("taken"))).status).toBe(409);
    const budget = await answer(
      new BudgetExceededError({
        scope: "session",
        sessionId: "ses_1",
        unit: "USD",
        limit: 10n,
        spent: 4n,
        reserved: 5n,
        requested: 2n,
      }),
    );
    expect(budget.status).toBe(422);
    expect(budget.body.error.code).toBe("unprocessable");
    expect(budget.body.error.hints).toContain("remaining: 1");
    expect(
      await answer(new CommandParseError("Say it again", { reason: "unrecognized" })),
    ).toMatchObject({ status: 422, body: { error: { code: "unprocessable" } } });
  });

  test("behavior: the documented override answers 403 for an inactive subscription", async () => {
    const error = new SubscriptionInactiveError("ses_1", "svc_1", "none");
    expect(error.kind).toBe("refused");
    expect(await answer(error)).toMatchObject({
      status: 403,
      body: { error: { code: "forbidden" } },
    });
  });

  test("behavior: transient failures are 503 with Retry-After and keep their short message", async () => {
    for (const error of [
      new ServiceUnavailableError("Redis is unreachable"),
      new ChainUnavailableError("transfer: the RPC did not answer"),
    ]) {
      const { status, body, headers } = await answer(error);
      expect(status).toBe(503);
      expect(headers.get("retry-after")).toBe("5");
      expect(body.error).toEqual({ code: "service_unavailable", message: error.shortMessage });
    }
  });

  test("behavior: an RPC that did not answer (viem, no kind) is a 503 that hides the URL", async () => {
    const url = "https://rpc.example/v1/secret-api-key";
    for (const error of [
      new HttpRequestError({ url, cause: new TypeError("fetch failed") }),
      new HttpRequestError({ url, status: 502 }),
      new TimeoutError({ body: {}, url }),
    ]) {
      const { status, body, headers } = await answer(error);
      expect(status, error.name).toBe(503);
      expect(headers.get("retry-after")).toBe("5");
      expect(body.error.code).toBe("service_unavailable");
      expect(JSON.stringify(body)).not.toContain("secret-api-key");
    }
    // An answer the RPC did give (a 4xx) is not a retry's business: still a generic 500.
    expect((await answer(new HttpRequestError({ url, status: 400 }))).status).toBe(500);
  });

  test("behavior: fatal and foreign errors are a generic 500 without details", async () => {
    for (const error of [
      new TransactionRevertedError({ hash: "0xabc", reason: "secret-ish detail" }),
      new Error("postgres://user:password@host/db"),
      "a string",
    ]) {
      const { status, body } = await answer(error);
      expect(status).toBe(500);
      expect(body).toEqual({ error: { code: "internal_error", message: "Internal error" } });
    }
  });

  test("behavior: a ClientError keeps its own HTTP status, code, issues and headers", async () => {
    const error = new ClientError("rate_limited", "Too many requests", {
      headers: { "retry-after": "3" },
    });
    const { status, body, headers } = await answer(error);
    expect(status).toBe(429);
    expect(body.error.code).toBe("rate_limited");
    expect(headers.get("retry-after")).toBe("3");
    const invalid = await answer(
      new ClientError("validation_failed", "Invalid body", {
        issues: [{ path: "x", message: "y" }],
      }),
    );
    expect(invalid).toMatchObject({
      status: 400,
      body: { error: { code: "validation_failed", issues: [{ path: "x" }] } },
    });
  });

  test("behavior: a kind carried by a serialized error (plain object) still decides", async () => {
    const serialized = { name: "ChainUnavailableError", kind: "transient", message: "rpc down" };
    expect((await answer(serialized)).status).toBe(503);
  });
});
