import { afterEach, describe, expect, test, vi } from "vitest";
import {
  afterRequests,
  answerFirst,
  answeringRequest,
  holdForRequest,
  requestsInFlight,
} from "../../../lib/world/requestsFirst.js";

/** Settles pending promise callbacks; reports whether `promise` has resolved. */
async function isResolved(promise: Promise<unknown>): Promise<boolean> {
  let resolved = false;
  void promise.then(() => {
    resolved = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return resolved;
}

describe("requestsFirst", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("behavior: background work runs at once when no API write is in hand", async () => {
    expect(requestsInFlight()).toBe(0);
    expect(await isResolved(afterRequests())).toBe(true);
  });

  test("behavior: background work waits until the API writes in hand are answered", async () => {
    const first = holdForRequest();
    const second = holdForRequest();
    const waiting = afterRequests();
    first();
    expect(await isResolved(waiting)).toBe(false);
    second();
    second(); // releasing twice counts once
    expect(await isResolved(waiting)).toBe(true);
    expect(requestsInFlight()).toBe(0);
  });

  test("behavior: background work waits 100 ms at most, so a stream of writes cannot starve runs", async () => {
    vi.useFakeTimers();
    const release = holdForRequest();
    const waiting = afterRequests();
    await vi.advanceTimersByTimeAsync(99);
    expect(await isResolved(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await isResolved(waiting)).toBe(true);
    release();
  });

  test("behavior: a long request (a long poll) stops holding background work after 250 ms", async () => {
    vi.useFakeTimers();
    holdForRequest(); // never released by its handler
    expect(requestsInFlight()).toBe(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(requestsInFlight()).toBe(0);
    expect(await isResolved(afterRequests())).toBe(true);
  });

  test("behavior: statements of a request's handler count as answering it; work it leaves behind does not", async () => {
    let leftBehind: Promise<boolean> | undefined;
    const during = await answerFirst(async () => {
      await Promise.resolve();
      // The outbox's start() is started inside the handler and runs after the answer.
      leftBehind = afterRequests().then(() => answeringRequest());
      return answeringRequest();
    });
    expect(during).toBe(true);
    expect(requestsInFlight()).toBe(0);
    expect(await leftBehind).toBe(false);
    expect(answeringRequest()).toBe(false);
  });

  test("behavior: a request stops counting as answered first after 250 ms", async () => {
    vi.useFakeTimers();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: boolean[] = [];
    const answered = answerFirst(async () => {
      seen.push(answeringRequest());
      await released;
      seen.push(answeringRequest());
    });
    await vi.advanceTimersByTimeAsync(250);
    release();
    await answered;
    expect(seen).toEqual([true, false]);
  });
});
