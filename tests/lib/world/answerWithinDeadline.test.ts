import { afterEach, describe, expect, test, vi } from "vitest";
import { answerWithinDeadline } from "../../../lib/world/answerWithinDeadline.js";

const delivery = () =>
  new Request("http://127.0.0.1/.well-known/workflow/v1/step", {
    method: "POST",
    headers: { "x-vqs-message-id": "msg_1" },
  });

describe("answerWithinDeadline", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("behavior: a delivery answered in time passes its answer through", async () => {
    const handler = answerWithinDeadline(async () => new Response("done", { status: 200 }), 1000);
    const answer = await handler(delivery());
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("done");
  });

  test("behavior: a delivery that never answers gets a 504 at the deadline, so the world delivers it again", async () => {
    vi.useFakeTimers();
    const handler = answerWithinDeadline(() => new Promise<Response>(() => {}), 5000);
    let answer: Response | undefined;
    void handler(delivery()).then((response) => {
      answer = response;
    });
    await vi.advanceTimersByTimeAsync(4999);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer?.status).toBe(504);
    expect((await answer!.json()).error.code).toBe("delivery_deadline");
  });

  test("behavior: a failing delivery still fails (the world retries it as before)", async () => {
    const handler = answerWithinDeadline(() => Promise.reject(new Error("boom")), 1000);
    await expect(handler(delivery())).rejects.toThrow("boom");
  });

  test("behavior: a deadline of 0 leaves the handler as it is", () => {
    const handler = async () => new Response("done");
    expect(answerWithinDeadline(handler, 0)).toBe(handler);
  });
});
