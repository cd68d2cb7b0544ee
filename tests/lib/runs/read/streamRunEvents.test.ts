import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { resetConfig } from "../../../../lib/config.js";
import { appendRunEvent } from "../../../../lib/runs/events.js";
import { streamRunEvents } from "../../../../lib/runs/read/streamRunEvents.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";

let testDb: TestDb;

beforeAll(async () => {
  testDb = await createTestDb("pg");
});

afterAll(async () => {
  await testDb?.dispose();
});

afterEach(() => {
  vi.unstubAllEnvs();
  resetConfig();
});

/** A run row (and its session) to hang events on. */
async function newRun(): Promise<string> {
  const sessionId = `ses_${randomUUID().slice(0, 8)}`;
  const runId = `run_${randomUUID().slice(0, 8)}`;
  await testDb.db.insertInto("agent_sessions").values({ id: sessionId }).execute();
  await testDb.db
    .insertInto("runs")
    .values({ id: runId, session_id: sessionId, command: "what's my balance", status: "running" })
    .execute();
  return runId;
}

/** The raw SSE blocks of a response body, in order. */
async function blocks(response: Response): Promise<string[]> {
  return (await response.text()).split("\n\n").filter(Boolean);
}

function eventsOf(parts: string[]): { id: string; event: string }[] {
  return parts
    .filter((part) => part.includes("event: "))
    .map((part) => ({
      id: /^id: (\d+)$/m.exec(part)![1]!,
      event: /^event: (.+)$/m.exec(part)![1]!,
    }));
}

describe("streamRunEvents", () => {
  test("behavior: a stream with no end in sight closes itself before its limit, with a retry hint", async () => {
    const runId = await newRun();
    await appendRunEvent(testDb.db, { runId, type: "run.accepted" });
    await appendRunEvent(testDb.db, { runId, type: "run.planned" });
    const started = Date.now();
    const response = await streamRunEvents(testDb.db, runId, { maxDurationMs: 400, pollMs: 20 });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const parts = await blocks(response);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(2_000);
    expect(parts[0]).toBe("retry: 1000");
    expect(eventsOf(parts).map((e) => e.event)).toEqual(["run.accepted", "run.planned"]);
    expect(parts.at(-1)).toBe(": time limit; reconnect with Last-Event-ID\nretry: 1000");
  });

  test("behavior: a client that reconnects with Last-Event-ID gets exactly what it missed, up to the end", async () => {
    const runId = await newRun();
    await appendRunEvent(testDb.db, { runId, type: "run.accepted" });
    await appendRunEvent(testDb.db, { runId, type: "run.planned" });
    const first = eventsOf(
      await blocks(await streamRunEvents(testDb.db, runId, { maxDurationMs: 200, pollMs: 20 })),
    );
    // Progress made while the client was away.
    await appendRunEvent(testDb.db, { runId, type: "step.started" });
    await appendRunEvent(testDb.db, { runId, type: "step.finished" });
    await appendRunEvent(testDb.db, { runId, type: "run.completed" });
    const started = Date.now();
    const resumed = await blocks(
      await streamRunEvents(testDb.db, runId, {
        afterId: first.at(-1)!.id,
        maxDurationMs: 10_000,
        pollMs: 20,
      }),
    );
    // The terminal event ends the stream at once, and without a reconnect hint.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(eventsOf(resumed).map((e) => e.event)).toEqual([
      "step.started",
      "step.finished",
      "run.completed",
    ]);
    expect(resumed.at(-1)).toMatch(/^id: \d+\nevent: run\.completed\n/);
  });

  test("behavior: reconnecting after the terminal event answers 204, so EventSource stops", async () => {
    const runId = await newRun();
    await appendRunEvent(testDb.db, { runId, type: "run.accepted" });
    await appendRunEvent(testDb.db, { runId, type: "run.failed" });
    const all = eventsOf(
      await blocks(await streamRunEvents(testDb.db, runId, { maxDurationMs: 5_000, pollMs: 20 })),
    );
    expect(all.map((e) => e.event)).toEqual(["run.accepted", "run.failed"]);
    const again = await streamRunEvents(testDb.db, runId, { afterId: all[1]!.id });
    expect(again.status).toBe(204);
    // Before the end, the same run still streams.
    const earlier = await streamRunEvents(testDb.db, runId, {
      afterId: all[0]!.id,
      maxDurationMs: 5_000,
    });
    expect(earlier.status).toBe(200);
    expect(eventsOf(await blocks(earlier)).map((e) => e.event)).toEqual(["run.failed"]);
  });

  test("args: the default limit is SSE_MAX_DURATION_SECONDS", async () => {
    vi.stubEnv("SSE_MAX_DURATION_SECONDS", "1");
    resetConfig();
    const runId = await newRun();
    const started = Date.now();
    const parts = await blocks(await streamRunEvents(testDb.db, runId, { pollMs: 20 }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(3_000);
    expect(parts.at(-1)).toContain("retry: 1000");
  });
});
