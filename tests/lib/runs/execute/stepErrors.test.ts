import { HttpRequestError, TimeoutError, TransactionReceiptNotFoundError } from "viem";
import { describe, expect, test } from "vitest";
import { RetryableError } from "workflow";
import { ChainUnavailableError, TransactionRevertedError } from "../../../../lib/chain/errors.js";
import {
  retryDelayMs,
  retryLater,
  routeStepError,
} from "../../../../lib/runs/execute/stepErrors.js";
import { ResourceRequestError } from "../../../../lib/x402/errors.js";

describe("routeStepError", () => {
  test("behavior: transient errors are retried, other kinds are recorded as the run's failure", () => {
    expect(routeStepError(new ChainUnavailableError("broadcast of 0xabc failed"))).toBe("retry");
    expect(routeStepError(new ResourceRequestError("resource answered 503", 503))).toBe("retry");
    expect(routeStepError(new ResourceRequestError("resource answered 404", 404))).toBe("record");
    expect(routeStepError(new TransactionRevertedError({ hash: "0xabc" }))).toBe("record");
  });

  test("behavior: the kind survives serialization (a plain object with name and kind)", () => {
    const serialized = JSON.parse(
      JSON.stringify({ ...new ChainUnavailableError("x"), name: "ChainUnavailableError" }),
    );
    expect(routeStepError(serialized)).toBe("retry");
  });

  test("behavior: an error without a kind is rethrown for the runtime's default retries", () => {
    expect(routeStepError(new TypeError("cannot read properties of undefined"))).toBe("rethrow");
    expect(routeStepError("a string")).toBe("rethrow");
  });

  test("behavior: RPC timeouts, network failures and 5xx raised by viem (no kind) are transient", () => {
    const url = "http://127.0.0.1:8545";
    expect(routeStepError(new HttpRequestError({ url, status: 503 }))).toBe("retry");
    expect(routeStepError(new HttpRequestError({ url, status: 429 }))).toBe("retry");
    expect(routeStepError(new TimeoutError({ body: {}, url }))).toBe("retry");
    expect(
      routeStepError(new HttpRequestError({ url, cause: new TypeError("fetch failed") })),
    ).toBe("retry");
    // An answer the node gave on purpose is not an outage.
    expect(routeStepError(new HttpRequestError({ url, status: 400 }))).toBe("rethrow");
    expect(routeStepError(new TransactionReceiptNotFoundError({ hash: "0x01" }))).toBe("rethrow");
  });

  test("args: the retry delay doubles per attempt and stops at 30 s", () => {
    expect([1, 2, 3, 4, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 30000]);
    const retry = retryLater(new ChainUnavailableError("RPC down"), 2, "Action 1 (transfer)");
    expect(RetryableError.is(retry)).toBe(true);
    expect(retry.message).toBe("Action 1 (transfer): RPC down");
    expect(retry.retryAfter.getTime() - Date.now()).toBeGreaterThan(1500);
  });
});
