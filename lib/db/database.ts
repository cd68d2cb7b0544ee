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
/** bigint: node-postgres returns string, PGlite number; normalise with String() on read. */
export type NullableBigint = ColumnType<
  string | number | null,
  string | null | undefined,
  string | null
>;
/** jsonb: written as JSON.stringify(...) text (node-postgres would turn arrays into PG arrays). */
export type Json<T = unknown> = ColumnType<T, string, string>;
export type JsonOrNull<T = unknown> = ColumnType<
  T | null,
  string | null | undefined,
  string | null
>;

/** Role of an API key (migration 0021; the former `sessions` scope is `agent`). */
export type KeyRole = "admin" | "agent" | "approver";

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  role: KeyRole;
  /** The key's policy; null → the operator default policy (PAYGENT_DEFAULT_POLICY). */
  policy_id: string | null;
  /** "env" for keys registered from PAYGENT_ADMIN_KEY (revoked when the variable changes). */
  source: Generated<"created" | "env">;
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
  /**
   * The key_controls_version its accept read the key's role, policy and freezes at (a bigint, as
   * a string); the insert fails unless it is still current. Null: not checked (no key).
   */
  controls_version: NullableBigint;
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
  /** endpointKey(endpoint): how a URL finds the service, however it is spelled (migration 0110). */
  endpoint_key: string;
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
  /** Per-tool prices of an MCP service, null for plain HTTP services (migration 0080). */
  tools: JsonOrNull<ServiceTool[]>;
  /** "registry" (curated or seeded) or "bazaar" (imported from a facilitator: untrusted). */
  source: Generated<string>;
  imported_from: string | null;
  imported_at: Timestamp;
  tags: JsonOrNull<string[]>;
}

/** One paid tool of an MCP service (services.tools). */
export interface ServiceTool {
  name: string;
  description: string;
  price: { amount: string; asset: string; network: string };
}

/**
 * pending: in flight in some process; settled: the chain shows it used; failed: provably never
 * sent; unknown: sent, outcome not proven yet (keeps its reservation); cancelled: cancelled on
 * chain (EIP-3009 cancelAuthorization); expired: its validBefore passed unused. (migration 0030)
 */
export type PaymentStatus = "pending" | "settled" | "failed" | "unknown" | "cancelled" | "expired";

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
  /** Exposure tracking (migration 0030, issue 14). */
  sent_at: Timestamp;
  payee_failed: ColumnType<boolean, boolean | undefined, boolean>;
  unknown_since: Timestamp;
  booked_at: Timestamp;
  cancel_tx_hash: string | null;
  reservation_run_id: string | null;
  reservation_step_index: number | null;
  /** Signed offer / receipt (x402 offer-receipt extension) when the server gave them (0080). */
  offer: JsonOrNull;
  receipt: JsonOrNull;
}

/** Devnet facilitator's Bazaar catalogue beyond the demo resources (migration 0080). */
export interface FacilitatorCatalogueTable {
  resource: string;
  entry: Json;
  created_at: CreatedAt;
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
  /** Quorum (migration 0023): distinct approvers needed, who may decide, and the rule that held. */
  required_approvals: Generated<number>;
  approvers: Generated<"assigned" | "any">;
  agent_key_id: string | null;
  policy_id: string | null;
  policy_version: number | null;
  rule: string | null;
  original_action: JsonOrNull;
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
  /** The price agreed at subscribing (migration 0150): base units of price_asset; null on none. */
  price_amount: NullableNumeric;
  price_asset: string | null;
}

/**
 * The subscribe step holding a session's slot for a service while it pays the first period
 * (migration 0160): one per session and service (lib/subscriptions/claimSubscription.ts).
 */
export interface SubscriptionClaimsTable {
  session_id: string;
  service_id: string;
  subscription_id: string;
  renewal_run_id: string;
  run_id: string;
  step_id: string;
  created_at: CreatedAt;
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

// Policy engine and roles (issue 13, migrations 0020–0025).

export interface PoliciesTable {
  id: string;
  name: string;
  current_version: number;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  deleted_at: Timestamp;
}

export interface PolicyVersionsTable {
  policy_id: string;
  version: number;
  document: Json;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface ApproverAssignmentsTable {
  approver_key_id: string;
  agent_key_id: string;
  created_at: CreatedAt;
}

export interface PolicyReservationsTable {
  id: string;
  subject: string;
  run_id: string | null;
  policy_id: string | null;
  policy_version: number | null;
  token: string;
  amount: Numeric;
  usd_micros: NullableNumeric;
  /** Unit ("USD" or a token symbol) → what the reservation charges windows in that unit. */
  charges: Json<Record<string, string>>;
  status: "reserved" | "settled" | "released";
  reserved_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: CreatedAt;
}

export interface PolicySubjectLocksTable {
  subject: string;
}

export interface PolicyDecisionsTable {
  id: Generated<BigSerial>;
  reservation_id: string;
  run_id: string | null;
  subject: string;
  policy_id: string | null;
  policy_version: number | null;
  outcome: "allow" | "hold" | "refuse";
  rule: string;
  message: string;
  required_approvals: Generated<number>;
  granted_approvals: Generated<number>;
  usd_micros: NullableNumeric;
  created_at: CreatedAt;
}

export interface ApprovalDecisionsTable {
  approval_token: string;
  approver_key_id: string;
  decision: "approve" | "reject" | "edit";
  args: JsonOrNull;
  comment: string | null;
  created_at: CreatedAt;
}

export interface NotificationEndpointsTable {
  id: string;
  url: string;
  events: Json<string[]>;
  secret: string;
  created_by: string | null;
  created_at: CreatedAt;
  disabled_at: Timestamp;
}

export interface NotificationDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: "pending" | "delivered" | "failed";
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string, Date | string>;
  locked_until: Timestamp;
  last_status: number | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string, Date | string>;
  delivered_at: Timestamp;
}

export interface NotificationAttemptsTable {
  id: Generated<BigSerial>;
  delivery_id: string;
  attempt: number;
  started_at: ColumnType<Date, Date | string, Date | string>;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

export interface FreezesTable {
  target: string;
  reason: string | null;
  frozen_by: string | null;
  frozen_at: CreatedAt;
}

/** Every table Paygent owns, as kysely sees them. */
/** An Idempotency-Key record (migration 0095; lib/http/idempotency.ts). */
export interface IdempotencyKeysTable {
  /** The caller's key id. */
  principal: string;
  /** The endpoint's operationId. */
  operation: string;
  key: string;
  request_hash: string;
  locked_until: Timestamp;
  response_status: number | null;
  response_headers: JsonOrNull<Record<string, string>>;
  response_body: string | null;
  created_at: CreatedAt;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

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
  subscription_claims: SubscriptionClaimsTable;
  agent_memory: AgentMemoryTable;
  spend_ledger: SpendLedgerTable;
  chain_transactions: ChainTransactionsTable;
  // Policy engine and roles (issue 13).
  policies: PoliciesTable;
  policy_versions: PolicyVersionsTable;
  approver_assignments: ApproverAssignmentsTable;
  policy_reservations: PolicyReservationsTable;
  policy_subject_locks: PolicySubjectLocksTable;
  policy_decisions: PolicyDecisionsTable;
  approval_decisions: ApprovalDecisionsTable;
  notification_endpoints: NotificationEndpointsTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_attempts: NotificationAttemptsTable;
  freezes: FreezesTable;
  // api-b (issue 20)
  idempotency_keys: IdempotencyKeysTable;
  // mcp (issue 15)
  facilitator_catalogue: FacilitatorCatalogueTable;
  // run throughput (issue 17)
  key_controls_version: KeyControlsVersionTable;
  // policy prices: each hour's high and low pool price per token (lib/policy/prices)
  price_marks: PriceMarksTable;
  pool_observations: PoolObservationsTable;
}

/** The highest and lowest pool price of a token seen in one hour, micro-dollars per whole token × 10¹². */
export interface PriceMarksTable {
  network: string;
  token: string;
  hour: Date;
  high: Numeric;
  low: Numeric;
  updated_at: CreatedAt;
}

/**
 * A DEX pair's cumulative prices (its built-in Uniswap V2 oracle) at one block: two observations
 * give the pair's average price between them (lib/chain/averages).
 */
export interface PoolObservationsTable {
  network: string;
  /** The pair contract, lower case. */
  pair: string;
  /** The block's timestamp: the oracle's clock. */
  observed_at: Date;
  block_number: Numeric;
  /** UQ112.112 sums of price × seconds, modulo 2^256, as the pair counts them. */
  price0_cumulative: Numeric;
  price1_cumulative: Numeric;
}

/** One row: bumped by trigger on every write to api_keys, policies, policy_versions, freezes. */
export interface KeyControlsVersionTable {
  id: Generated<boolean>;
  version: ColumnType<string | number, never, never>;
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
