import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb, type DatabaseDriver, migrateToLatest } from "../../../lib/db/index.js";
import {
  closeSharedNeonBridge,
  createTestDb,
  LOCAL_POSTGRES,
  type TestDb,
} from "../../helpers/db.js";
import { requireService } from "../../helpers/services.js";

/**
 * One contract, every driver: embedded PGlite, node-postgres on the local server, and the Neon
 * serverless driver through the WebSocket bridge to the same server. Each file gets a scratch DB.
 */

const postgresUp = await requireService("PostgreSQL", LOCAL_POSTGRES, 5432);

const drivers: {
  name: string;
  driver: DatabaseDriver;
  pgliteThread?: "worker" | "main";
  available: boolean;
  concurrent: boolean;
}[] = [
  // PGlite is one connection: nothing competes for the row lock, but concurrent transactions must
  // still serialise (PGlite's transaction lock), through the worker thread as on the main thread.
  { name: "pglite (worker thread)", driver: "pglite", available: true, concurrent: true },
  {
    name: "pglite (main thread)",
    driver: "pglite",
    pgliteThread: "main",
    available: true,
    concurrent: true,
  },
  { name: "pg", driver: "pg", available: postgresUp, concurrent: true },
  { name: "neon", driver: "neon", available: postgresUp, concurrent: true },
];

const maxUint256 = (2n ** 256n - 1n).toString();
const oneCro = 10n ** 18n;

afterAll(async () => {
  await closeSharedNeonBridge();
});

for (const { name, driver, pgliteThread, available, concurrent } of drivers) {
  describe.skipIf(!available)(`Database contract: ${name}`, () => {
    let testDb: TestDb;

    beforeAll(async () => {
      testDb = await createTestDb(driver, { pgliteThread });
    });
    afterAll(async () => {
      await testDb?.dispose();
    });

    const newSession = async (fields: { budget_amount?: string | bigint } = {}) => {
      const id = `ses_${randomUUID()}`;
      await testDb.db
        .insertInto("agent_sessions")
        .values({ id, api_key_id: null, ...fields })
        .execute();
      return id;
    };

    test("behavior: migrations create every table and a second run applies nothing", async () => {
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables
        where table_schema = 'public' order by table_name`.execute(testDb.db);
      expect(tables.rows.map((row) => row.table_name)).toEqual(
        expect.arrayContaining([
          "agent_memory",
          "agent_sessions",
          "api_keys",
          "approval_requests",
          "chain_transactions",
          "payments",
          "run_events",
          "run_steps",
          "runs",
          "service_subscriptions",
          "services",
          "spend_ledger",
          "subscription_claims",
        ]),
      );
      expect(await migrateToLatest(testDb.db)).toEqual([]);
    });

    test("behavior: CRUD on agent_sessions, runs and payments with foreign keys", async () => {
      const sessionId = await newSession({ budget_amount: 5n * oneCro });
      const runId = `run_${randomUUID()}`;
      await testDb.db
        .insertInto("runs")
        .values({ id: runId, session_id: sessionId, command: "pay 0.10 USDC", status: "running" })
        .execute();
      const paymentId = `pay_${randomUUID()}`;
      await testDb.db
        .insertInto("payments")
        .values({
          id: paymentId,
          run_id: runId,
          session_id: sessionId,
          resource_url: "http://127.0.0.1/api/demo/market-data",
          amount: "100000",
          asset: "0x0000000000000000000000000000000000000001",
          network: "eip155:338",
          pay_to: "0x0000000000000000000000000000000000000002",
          nonce: `0x${randomUUID().replaceAll("-", "")}`,
          status: "pending",
        })
        .execute();

      const run = await testDb.db
        .selectFrom("runs")
        .innerJoin("agent_sessions", "agent_sessions.id", "runs.session_id")
        .select([
          "runs.status",
          "runs.kind",
          "agent_sessions.budget_amount",
          "agent_sessions.status as s",
        ])
        .where("runs.id", "=", runId)
        .executeTakeFirstOrThrow();
      expect(run).toEqual({
        status: "running",
        kind: "command",
        budget_amount: "5000000000000000000",
        s: "active",
      });

      await testDb.db
        .updateTable("payments")
        .set({ status: "settled", tx_hash: "0xabc", settled_at: new Date() })
        .where("id", "=", paymentId)
        .execute();
      const payment = await testDb.db
        .selectFrom("payments")
        .selectAll()
        .where("id", "=", paymentId)
        .executeTakeFirstOrThrow();
      expect(payment).toMatchObject({ status: "settled", tx_hash: "0xabc", amount: "100000" });
      expect(payment.settled_at).toBeInstanceOf(Date);
      expect(payment.created_at).toBeInstanceOf(Date);

      await testDb.db.deleteFrom("payments").where("id", "=", paymentId).execute();
      const left = await testDb.db
        .selectFrom("payments")
        .select("id")
        .where("run_id", "=", runId)
        .execute();
      expect(left).toEqual([]);
    });

    test("error: a foreign key or unique violation rejects with the Postgres SQLSTATE", async () => {
      await expect(
        testDb.db
          .insertInto("runs")
          .values({
            id: `run_${randomUUID()}`,
            session_id: "ses_missing",
            command: "x",
            status: "running",
          })
          .execute(),
      ).rejects.toMatchObject({ code: "23503" });
      const id = await newSession();
      await expect(
        testDb.db.insertInto("agent_sessions").values({ id, api_key_id: null }).execute(),
      ).rejects.toMatchObject({ code: "23505" });
    });

    test("behavior: NUMERIC(78,0) round-trips a uint256-sized value exactly", async () => {
      const id = await newSession({ budget_amount: maxUint256 });
      await testDb.db
        .updateTable("agent_sessions")
        .set({ daily_limit_amount: 2n ** 255n + 1n })
        .where("id", "=", id)
        .execute();
      const row = await testDb.db
        .selectFrom("agent_sessions")
        .select(["budget_amount", "daily_limit_amount"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(row.budget_amount).toBe(maxUint256);
      expect(row.daily_limit_amount).toBe((2n ** 255n + 1n).toString());
      // Arithmetic in SQL stays exact too (budgets subtract in the database).
      const { rest } = await testDb.db
        .selectFrom("agent_sessions")
        .select(sql<string>`budget_amount - ${(2n ** 255n).toString()}::numeric`.as("rest"))
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(BigInt(rest)).toBe(2n ** 255n - 1n);
    });

    test("behavior: jsonb round-trips objects, arrays, unicode and null", async () => {
      const sessionId = await newSession();
      const runId = `run_${randomUUID()}`;
      const plan = {
        steps: [{ action: "swap", amountIn: maxUint256, slippageBps: 50, exact: true, memo: null }],
        note: 'ünïcødé 🚀 "quoted" \\ back\\slash',
      };
      await testDb.db
        .insertInto("runs")
        .values({
          id: runId,
          session_id: sessionId,
          command: "swap",
          status: "running",
          plan: JSON.stringify(plan),
          result: JSON.stringify([1, "two", { three: 3 }]),
          error: null,
        })
        .execute();
      const row = await testDb.db
        .selectFrom("runs")
        .select(["plan", "result", "error"])
        .where("id", "=", runId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ plan, result: [1, "two", { three: 3 }], error: null });
      const { action } = await testDb.db
        .selectFrom("runs")
        .select(sql<string>`plan->'steps'->0->>'action'`.as("action"))
        .where("id", "=", runId)
        .executeTakeFirstOrThrow();
      expect(action).toBe("swap");
    });

    test("behavior: a failed transaction rolls back every write", async () => {
      const id = `ses_${randomUUID()}`;
      await expect(
        testDb.db.transaction().execute(async (trx) => {
          await trx.insertInto("agent_sessions").values({ id, api_key_id: null }).execute();
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      const rows = await testDb.db
        .selectFrom("agent_sessions")
        .select("id")
        .where("id", "=", id)
        .execute();
      expect(rows).toEqual([]);
    });

    test("behavior: a transaction that swallowed a failed statement keeps none of its writes", async () => {
      const kept = `ses_${randomUUID()}`;
      const existing = await newSession();
      await testDb.db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto("agent_sessions").values({ id: kept, api_key_id: null }).execute();
          // A duplicate key aborts the transaction even though the caller carries on.
          await trx
            .insertInto("agent_sessions")
            .values({ id: existing, api_key_id: null })
            .execute()
            .catch(() => {});
        })
        // node-postgres answers the COMMIT of an aborted transaction with ROLLBACK, PGlite with 25P02.
        .catch(() => {});
      const rows = await testDb.db
        .selectFrom("agent_sessions")
        .select("id")
        .where("id", "=", kept)
        .execute();
      expect(rows).toEqual([]);
    });

    test("behavior: a query outside an open transaction never sees its uncommitted row", async () => {
      const id = `ses_${randomUUID()}`;
      let inserted!: () => void;
      const insertedSignal = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const transaction = testDb.db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto("agent_sessions").values({ id, api_key_id: null }).execute();
          inserted();
          await new Promise((resolve) => setTimeout(resolve, 100));
          throw new Error("roll back");
        })
        .catch((error: Error) => error.message);
      await insertedSignal;
      // PGlite makes this wait for the rollback; Postgres answers at once from the last commit.
      const outside = await testDb.db
        .selectFrom("agent_sessions")
        .select("id")
        .where("id", "=", id)
        .execute();
      expect(outside).toEqual([]);
      expect(await transaction).toBe("roll back");
    });

    test.skipIf(!concurrent)(
      "behavior: SELECT … FOR UPDATE serialises 40 concurrent reservations against room for 25 → exactly 25",
      async () => {
        const sessionId = await newSession({ budget_amount: 25n * oneCro });
        const reserve = (attempt: number) =>
          testDb.db.transaction().execute(async (trx) => {
            const { budget_amount } = await trx
              .selectFrom("agent_sessions")
              .select("budget_amount")
              .where("id", "=", sessionId)
              .forUpdate()
              .executeTakeFirstOrThrow();
            const remaining = BigInt(budget_amount ?? "0");
            if (remaining < oneCro) return false;
            // Read-modify-write in JS: without the row lock concurrent spenders would overshoot.
            await trx
              .updateTable("agent_sessions")
              .set({ budget_amount: remaining - oneCro })
              .where("id", "=", sessionId)
              .execute();
            await trx
              .insertInto("spend_ledger")
              .values({
                id: `${sessionId}:${attempt}`,
                session_id: sessionId,
                run_id: `run_${attempt}`,
                token: "CRO",
                amount: oneCro,
                status: "reserved",
                day: "2026-11-25",
              })
              .execute();
            return true;
          });
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, attempt) => reserve(attempt)),
        );
        expect(results.filter(Boolean)).toHaveLength(25);
        const session = await testDb.db
          .selectFrom("agent_sessions")
          .select("budget_amount")
          .where("id", "=", sessionId)
          .executeTakeFirstOrThrow();
        expect(session.budget_amount).toBe("0");
        const { total, rows } = await testDb.db
          .selectFrom("spend_ledger")
          .select([
            sql<string>`sum(amount)::text`.as("total"),
            sql<string>`count(*)::text`.as("rows"),
          ])
          .where("session_id", "=", sessionId)
          .executeTakeFirstOrThrow();
        expect({ total, rows }).toEqual({ total: (25n * oneCro).toString(), rows: "25" });
      },
    );
  });
}

describe("Database contract: createDb(pglite) on a data directory", () => {
  test("behavior: migrates, persists across close and reopen", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "paygent-pglite-"));
    const dataDir = path.join(dir, "nested", "pglite");
    try {
      const first = await createDb({ driver: "pglite", dataDir });
      expect((await migrateToLatest(first.db)).length).toBeGreaterThan(0);
      await first.db
        .insertInto("agent_sessions")
        .values({ id: "ses_persist", api_key_id: null })
        .execute();
      await first.close();
      const second = await createDb({ driver: "pglite", dataDir });
      expect(await migrateToLatest(second.db)).toEqual([]);
      const rows = await second.db.selectFrom("agent_sessions").select("id").execute();
      await second.close();
      expect(rows).toEqual([{ id: "ses_persist" }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
