import { type Kysely, sql } from "kysely";

/**
 * The initial schema. Frozen once landed: later changes go in new migrations.
 * Money is NUMERIC(78,0) in base units (fits any uint256); never a float.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("scope", "text", (c) => c.notNull()) // 'admin' | 'sessions'
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("revoked_at", "timestamptz")
    .execute();

  await db.schema
    .createTable("agent_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("api_key_id", "text", (c) => c.references("api_keys.id"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active")) // active | closed
    .addColumn("budget_amount", "numeric(78, 0)")
    .addColumn("budget_token", "text")
    .addColumn("daily_limit_amount", "numeric(78, 0)")
    .addColumn("daily_limit_token", "text")
    .addColumn("approval_threshold_usd", "numeric(20, 6)")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("closed_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("agent_sessions_created_idx")
    .on("agent_sessions")
    .columns(["created_at", "id"])
    .execute();

  await db.schema
    .createTable("runs")
    .addColumn("id", "text", (c) => c.primaryKey()) // the workflow run id
    .addColumn("session_id", "text", (c) => c.notNull().references("agent_sessions.id"))
    .addColumn("kind", "text", (c) => c.notNull().defaultTo("command")) // command | x402 | transfer | subscription
    .addColumn("command", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("idempotency_key", "text")
    .addColumn("intent", "jsonb")
    .addColumn("plan", "jsonb")
    .addColumn("result", "jsonb")
    .addColumn("error", "jsonb")
    .addColumn("cost", "jsonb")
    .addColumn("options", "jsonb")
    .addColumn("cancel_requested_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("runs_idempotency_key_idx")
    .on("runs")
    .column("idempotency_key")
    .unique()
    .execute();
  await db.schema
    .createIndex("runs_session_created_idx")
    .on("runs")
    .columns(["session_id", "created_at", "id"])
    .execute();
  await db.schema
    .createIndex("runs_status_created_idx")
    .on("runs")
    .columns(["status", "created_at", "id"])
    .execute();
  await db.schema
    .createIndex("runs_created_idx")
    .on("runs")
    .columns(["created_at", "id"])
    .execute();

  // The execution log: one row per planned action (and for parse/plan), with timings and costs.
  await db.schema
    .createTable("run_steps")
    .addColumn("id", "text", (c) => c.primaryKey()) // `${runId}:${index}`
    .addColumn("run_id", "text", (c) => c.notNull().references("runs.id"))
    .addColumn("step_index", "integer", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull()) // pending | running | waiting_approval | waiting_event | completed | failed | skipped | cancelled
    .addColumn("input", "jsonb")
    .addColumn("output", "jsonb")
    .addColumn("tx_hashes", "jsonb")
    .addColumn("cost", "jsonb")
    .addColumn("error", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .addColumn("duration_ms", "integer")
    .execute();
  await db.schema
    .createIndex("run_steps_run_idx")
    .on("run_steps")
    .columns(["run_id", "step_index"])
    .unique()
    .execute();

  // Append-only progress events, the source of the SSE stream (Last-Event-ID = id).
  await db.schema
    .createTable("run_events")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("run_id", "text", (c) => c.notNull().references("runs.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("dedupe_key", "text")
    .addColumn("data", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("run_events_run_idx")
    .on("run_events")
    .columns(["run_id", "id"])
    .execute();
  await db.schema
    .createIndex("run_events_dedupe_idx")
    .on("run_events")
    .column("dedupe_key")
    .unique()
    .execute();

  await db.schema
    .createTable("services")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("endpoint", "text", (c) => c.notNull())
    .addColumn("pricing_model", "text", (c) => c.notNull()) // pay-per-call | metered | subscription
    .addColumn("price_amount", "numeric(78, 0)", (c) => c.notNull())
    .addColumn("price_asset", "text", (c) => c.notNull())
    .addColumn("price_network", "text", (c) => c.notNull())
    .addColumn("mcp_compatible", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("reputation", "numeric(4, 2)", (c) => c.notNull().defaultTo("3.00"))
    .addColumn("total_calls", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("successes", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("services_category_idx")
    .on("services")
    .columns(["category", "price_amount"])
    .execute();

  await db.schema
    .createTable("payments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("run_id", "text", (c) => c.references("runs.id"))
    .addColumn("step_id", "text")
    .addColumn("session_id", "text", (c) => c.references("agent_sessions.id"))
    .addColumn("service_id", "text", (c) => c.references("services.id"))
    .addColumn("resource_url", "text", (c) => c.notNull())
    .addColumn("amount", "numeric(78, 0)", (c) => c.notNull())
    .addColumn("asset", "text", (c) => c.notNull())
    .addColumn("network", "text", (c) => c.notNull())
    .addColumn("pay_to", "text", (c) => c.notNull())
    .addColumn("payer", "text")
    .addColumn("nonce", "text", (c) => c.notNull().unique()) // EIP-3009 nonce: one row per authorization
    .addColumn("tx_hash", "text")
    .addColumn("status", "text", (c) => c.notNull()) // pending | settled | failed
    .addColumn("error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("settled_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("payments_session_created_idx")
    .on("payments")
    .columns(["session_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("payments_status_created_idx")
    .on("payments")
    .columns(["status", "created_at"])
    .execute();
  await db.schema.createIndex("payments_run_idx").on("payments").column("run_id").execute();

  await db.schema
    .createTable("approval_requests")
    .addColumn("token", "text", (c) => c.primaryKey()) // the workflow hook token
    .addColumn("run_id", "text", (c) => c.notNull().references("runs.id"))
    .addColumn("session_id", "text", (c) => c.notNull().references("agent_sessions.id"))
    .addColumn("step_index", "integer", (c) => c.notNull())
    .addColumn("action", "jsonb", (c) => c.notNull())
    .addColumn("amount_usd", "numeric(30, 6)")
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull()) // pending | approved | rejected | edited | expired | cancelled
    .addColumn("decision", "jsonb")
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("decided_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("approval_requests_status_idx")
    .on("approval_requests")
    .columns(["status", "session_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("approval_requests_run_idx")
    .on("approval_requests")
    .column("run_id")
    .execute();

  await db.schema
    .createTable("service_subscriptions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull().references("agent_sessions.id"))
    .addColumn("service_id", "text", (c) => c.notNull().references("services.id"))
    .addColumn("period", "text", (c) => c.notNull()) // daily | weekly | monthly
    .addColumn("status", "text", (c) => c.notNull()) // active | cancelled | expired | failed
    .addColumn("run_id", "text")
    .addColumn("renewals", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("consecutive_failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("current_period_end", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("cancelled_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("service_subscriptions_session_idx")
    .on("service_subscriptions")
    .columns(["session_id", "status"])
    .execute();

  await db.schema
    .createTable("agent_memory")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull().references("agent_sessions.id"))
    .addColumn("run_id", "text")
    .addColumn("kind", "text", (c) => c.notNull()) // intent | service | swap | payment
    .addColumn("data", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("agent_memory_session_idx")
    .on("agent_memory")
    .columns(["session_id", "id"])
    .execute();

  // Budget reservations: reserve before money moves, then settle or release. One row per step.
  await db.schema
    .createTable("spend_ledger")
    .addColumn("id", "text", (c) => c.primaryKey()) // `${runId}:${stepIndex}` — idempotent per step
    .addColumn("session_id", "text", (c) => c.notNull().references("agent_sessions.id"))
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("amount", "numeric(78, 0)", (c) => c.notNull())
    .addColumn("usd_amount", "numeric(30, 6)")
    .addColumn("status", "text", (c) => c.notNull()) // reserved | settled | released
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("spend_ledger_session_idx")
    .on("spend_ledger")
    .columns(["session_id", "token", "status"])
    .execute();
  await db.schema
    .createIndex("spend_ledger_day_idx")
    .on("spend_ledger")
    .columns(["day", "token", "status"])
    .execute();

  // Every transaction the agent submits, so the chain watcher can resume hooks keyed by hash.
  await db.schema
    .createTable("chain_transactions")
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("run_id", "text")
    .addColumn("step_id", "text")
    .addColumn("chain_id", "integer", (c) => c.notNull())
    .addColumn("from_address", "text", (c) => c.notNull())
    .addColumn("to_address", "text")
    .addColumn("nonce", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull()) // transfer | approve | swap
    .addColumn("status", "text", (c) => c.notNull()) // submitted | confirmed | reverted | dropped
    .addColumn("gas_used", "numeric(78, 0)")
    .addColumn("effective_gas_price", "numeric(78, 0)")
    .addColumn("block_number", "numeric(78, 0)")
    .addColumn("error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("chain_transactions_status_idx")
    .on("chain_transactions")
    .columns(["status", "created_at"])
    .execute();
  await db.schema
    .createIndex("chain_transactions_step_idx")
    .on("chain_transactions")
    .column("step_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "chain_transactions",
    "spend_ledger",
    "agent_memory",
    "service_subscriptions",
    "approval_requests",
    "payments",
    "services",
    "run_events",
    "run_steps",
    "runs",
    "agent_sessions",
    "api_keys",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
