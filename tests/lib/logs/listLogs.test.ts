import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Principal } from "../../../lib/auth/authenticate.js";
import { getLog } from "../../../lib/logs/getLog.js";
import { listLogs } from "../../../lib/logs/listLogs.js";
import { appendRunEvent } from "../../../lib/runs/events.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

let db: TestDb;
const admin: Principal = { keyId: "key_admin", role: "admin", scope: "admin" };
const owner: Principal = { keyId: "key_owner", role: "agent", scope: "sessions" };
const stranger: Principal = { keyId: "key_stranger", role: "agent", scope: "sessions" };

beforeAll(async () => {
  db = await createTestDb("pglite");
  await db.db
    .insertInto("api_keys")
    .values([
      { id: "key_owner", name: "owner", role: "agent", key_hash: "a".repeat(64) },
      { id: "key_stranger", name: "stranger", role: "agent", key_hash: "b".repeat(64) },
    ])
    .execute();
  await db.db
    .insertInto("agent_sessions")
    .values({ id: "ses_logs", api_key_id: "key_owner" })
    .execute();
  await db.db
    .insertInto("runs")
    .values([
      { id: "run_logs_a", session_id: "ses_logs", command: "pay", status: "failed" },
      { id: "run_logs_b", session_id: "ses_logs", command: "swap", status: "completed" },
    ])
    .execute();
  const events: [string, Parameters<typeof appendRunEvent>[1]["type"], unknown][] = [
    ["run_logs_a", "run.accepted", { command: "pay 1 USDC" }],
    ["run_logs_a", "step.finished", { index: 0, status: "completed" }],
    ["run_logs_a", "approval.required", { index: 1, reason: "above threshold" }],
    ["run_logs_a", "approval.decided", { index: 1, decision: "approve" }],
    ["run_logs_a", "step.finished", { index: 1, status: "failed" }],
    ["run_logs_a", "run.failed", { message: "price above limit" }],
    ["run_logs_b", "run.accepted", { command: "swap" }],
    ["run_logs_b", "run.completed", {}],
  ];
  for (const [runId, type, data] of events) await appendRunEvent(db.db, { runId, type, data });
});
afterAll(async () => {
  await db?.dispose();
});

describe("listLogs", () => {
  test("behavior: levels are derived from the events; a level filter keeps that level and above", async () => {
    const all = await listLogs(db.db, owner, { sessionId: "ses_logs" });
    expect(all.logs.map((l) => [l.type, l.level])).toEqual([
      ["run.accepted", "info"],
      ["step.finished", "info"],
      ["approval.required", "warn"],
      ["approval.decided", "info"],
      ["step.finished", "error"],
      ["run.failed", "error"],
      ["run.accepted", "info"],
      ["run.completed", "info"],
    ]);
    const warn = await listLogs(db.db, owner, { sessionId: "ses_logs", level: "warn" });
    expect(warn.logs.map((l) => l.level)).toEqual(["warn", "error", "error"]);
    const errors = await listLogs(db.db, owner, { runId: "run_logs_a", level: "error" });
    expect(errors.logs.map((l) => l.message)).toEqual([
      "Finished step 1: failed",
      "Run failed: price above limit",
    ]);
  });

  test("behavior: pages by cursor, oldest first, without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listLogs(db.db, admin, { sessionId: "ses_logs", limit: 3, cursor });
      seen.push(...page.logs.map((l) => l.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(seen);
  });

  test("error: another key sees no entry and cannot read one by id", async () => {
    expect((await listLogs(db.db, stranger, {})).logs).toEqual([]);
    const [first] = (await listLogs(db.db, owner, { runId: "run_logs_b" })).logs;
    expect(await getLog(db.db, owner, first!.id)).toEqual(first);
    await expect(getLog(db.db, stranger, first!.id)).rejects.toThrow(/not found/);
  });
});
