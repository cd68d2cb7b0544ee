import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** NUMERIC columns: written as decimal strings (or bigint), always read back as strings. */
export type Numeric = ColumnType<string, string | bigint, string | bigint>;
/** NUMERIC column that may be NULL. */
export type NullableNumeric = ColumnType<
  string | null,
  string | bigint | null,
  string | bigint | null
>;
/** timestamptz with a database default. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
export type Timestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** bigserial: node-postgres returns string, PGlite bigint; normalise with String() on read. */
export type BigSerial = ColumnType<string | bigint, never, never>;
/** jsonb: written as JSON.stringify(...) text (node-postgres would turn arrays into PG arrays). */
export type Json<T = unknown> = ColumnType<T, string, string>;
export type JsonOrNull<T = unknown> = ColumnType<
  T | null,
  string | null | undefined,
  string | null
>;

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  scope: "admin" | "sessions";
  created_at: CreatedAt;
  revoked_at: Timestamp;
}

export interface AgentSessionsTable {
  id: string;
  api_key_id: string | null;
  status: Generated<"active" | "closed">;
  budget_amount: NullableNumeric;
  budget_token: string | null;
  daily_limit_amount: NullableNumeric;
  daily_limit_token: string | null;
  approval_threshold_usd: NullableNumeric;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  closed_at: Timestamp;
}

export type RunStatus =
  | "running"
  | "waiting_approval"
  | "waiting_event"
  | "completed"
  | "failed"
  | "cancelled";

export interface RunsTable {
  id: string;
  session_id: string;
  kind: Generated<string>;
  command: string;
  status: RunStatus;
  idempotency_key: string | null;
  intent: JsonOrNull;
  plan: JsonOrNull;
  result: JsonOrNull;
  error: JsonOrNull;
  cost: JsonOrNull;
  options: JsonOrNull;
  cancel_requested_at: Timestamp;
  workflow_run_id: string | null;
  api_key_id: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  started_at: Timestamp;
  finished_at: Timestamp;
}

export type StepStatus =
  | "pending"
  | "running"
  | "waiting_approval"
  | "waiting_event"
  | "completed"
  | "failed"
  | "skipped"
  | "cancelled";

export interface RunStepsTable {
  id: string;
  run_id: string;
  step_index: number;
  action: string;
  status: StepStatus;
  input: JsonOrNull;
  output: JsonOrNull;
  tx_hashes: JsonOrNull<string[]>;
  cost: JsonOrNull;
  error: string | null;
  attempts: Generated<number>;
  started_at: Timestamp;
  finished_at: Timestamp;
  duration_ms: number | null;
}

export interface RunEventsTable {
  id: Generated<BigSerial>;
  run_id: string;
  type: string;
  dedupe_key: string | null;
  data: Json;
  created_at: CreatedAt;
}

export interface ServicesTable {
  id: string;
  name: string;
  description: Generated<string>;
  category: string;
  endpoint: string;
  pricing_model: "pay-per-call" | "metered" | "subscription";
  price_amount: Numeric;
  price_asset: string;
  price_network: string;
  mcp_compatible: Generated<boolean>;
  reputation: ColumnType<string, string | undefined, string>;
  total_calls: Generated<number>;
  successes: Generated<number>;
  failures: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export type PaymentStatus = "pending" | "settled" | "failed";

export interface PaymentsTable {
  id: string;
  run_id: string | null;
  step_id: string | null;
  session_id: string | null;
  service_id: string | null;
  resource_url: string;
  amount: Numeric;
  asset: string;
  network: string;
  pay_to: string;
  payer: string | null;
  nonce: string;
  tx_hash: string | null;
  status: PaymentStatus;
  error: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  settled_at: Timestamp;
  /** EIP-3009 window and terms, persisted before the first send (migration 0004). */
  valid_after: NullableNumeric;
  valid_before: NullableNumeric;
  requirement: JsonOrNull;
  search_from_block: NullableNumeric;
  /** Paid content {status, contentType, body, truncated} of a settled payment (migration 0007). */
  response: JsonOrNull;
}

export type ApprovalStatus =
  | "pending"
  | "approved"
  | "rejected"
  | "edited"
  | "expired"
  | "cancelled";

export interface ApprovalRequestsTable {
  token: string;
  run_id: string;
  session_id: string;
  step_index: number;
  action: Json;
  amount_usd: NullableNumeric;
  reason: string;
  status: ApprovalStatus;
  decision: JsonOrNull;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  created_at: CreatedAt;
  decided_at: Timestamp;
}

export interface ServiceSubscriptionsTable {
  id: string;
  session_id: string;
  service_id: string;
  period: "daily" | "weekly" | "monthly";
  status: "active" | "cancelled" | "expired" | "failed";
  run_id: string | null;
  renewals: Generated<number>;
  consecutive_failures: Generated<number>;
  current_period_end: ColumnType<Date, Date | string, Date | string>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  cancelled_at: Timestamp;
}

export interface AgentMemoryTable {
  id: Generated<BigSerial>;
  session_id: string;
  run_id: string | null;
  kind: string;
  data: Json;
  created_at: CreatedAt;
}

export interface SpendLedgerTable {
  id: string;
  session_id: string;
  run_id: string;
  token: string;
  amount: Numeric;
  usd_amount: NullableNumeric;
  status: "reserved" | "settled" | "released";
  day: ColumnType<Date | string, string, string>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ChainTransactionsTable {
  hash: string;
  run_id: string | null;
  step_id: string | null;
  chain_id: number;
  from_address: string;
  to_address: string | null;
  nonce: number;
  kind: string;
  status: "submitted" | "confirmed" | "reverted" | "dropped";
  gas_used: NullableNumeric;
  effective_gas_price: NullableNumeric;
  block_number: NullableNumeric;
  error: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** Signed raw transaction (0x hex), stored before broadcast so a retry rebroadcasts, never re-signs. */
  raw_transaction: string | null;
  token: string | null;
  amount: NullableNumeric;
  details: JsonOrNull;
}

/** Every table Paygent owns, as kysely sees them. */
export interface Database {
  api_keys: ApiKeysTable;
  agent_sessions: AgentSessionsTable;
  runs: RunsTable;
  run_steps: RunStepsTable;
  run_events: RunEventsTable;
  services: ServicesTable;
  payments: PaymentsTable;
  approval_requests: ApprovalRequestsTable;
  service_subscriptions: ServiceSubscriptionsTable;
  agent_memory: AgentMemoryTable;
  spend_ledger: SpendLedgerTable;
  chain_transactions: ChainTransactionsTable;
}

export type Run = Selectable<RunsTable>;
export type NewRun = Insertable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;
export type RunStep = Selectable<RunStepsTable>;
export type AgentSession = Selectable<AgentSessionsTable>;
export type Payment = Selectable<PaymentsTable>;
export type Service = Selectable<ServicesTable>;
export type ApprovalRequest = Selectable<ApprovalRequestsTable>;
export type Subscription = Selectable<ServiceSubscriptionsTable>;
