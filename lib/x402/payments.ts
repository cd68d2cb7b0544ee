import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { Database, Payment, PaymentStatus } from "../db/database.js";
import { cursorId } from "../http/cursorId.js";
import { cursorTimestamp } from "../http/cursorTimestamp.js";
import { decodeCursor } from "../http/decodeCursor.js";
import { encodeCursor } from "../http/encodeCursor.js";

/**
 * Every payment status, for API filters: "unknown" is a payment whose signed authorization left
 * without proof of its outcome (its budget stays reserved until it settles, is cancelled or expires).
 */
export const paymentStatuses = [
  "pending",
  "settled",
  "failed",
  "unknown",
  "cancelled",
  "expired",
] as const satisfies readonly PaymentStatus[];

/** A payment as the API shows it (camelCase; amounts in base units as decimal strings). */
export interface PaymentView {
  id: string;
  runId: string | null;
  stepId: string | null;
  sessionId: string | null;
  serviceId: string | null;
  resourceUrl: string;
  amount: string;
  asset: string;
  network: string;
  payTo: string;
  payer: string | null;
  nonce: string;
  txHash: string | null;
  status: PaymentStatus;
  error: string | null;
  validBefore: string | null;
  /** The payee answered a failure after receiving the signed authorization. */
  payeeFailed: boolean;
  /** EIP-3009 cancelAuthorization transaction, when the authorization was cancelled on chain. */
  cancelTxHash: string | null;
  createdAt: string;
  updatedAt: string;
  settledAt: string | null;
}

/** Filters of listPayments. Every bound is optional; results are newest first. */
export interface ListPaymentsParameters {
  status?: PaymentStatus | undefined;
  sessionId?: string | undefined;
  /** Only payments of sessions created with this API key (session-scoped callers). */
  ownerKeyId?: string | undefined;
  /** created_at ≥ from. */
  from?: Date | undefined;
  /** created_at < to. */
  to?: Date | undefined;
  limit?: number | undefined;
  /** Opaque cursor from a previous page's nextCursor. */
  cursor?: string | undefined;
}

/** The last row's (created_at as Postgres's text, id): both reach the query, so both are checked. */
const cursorSchema = z.tuple([cursorTimestamp, cursorId]);

/** One page of payments. */
export interface PaymentPage {
  payments: PaymentView[];
  nextCursor: string | null;
}

/** Lists payments newest first with keyset pagination on (created_at, id). */
export async function listPayments(
  db: Kysely<Database>,
  parameters: ListPaymentsParameters = {},
): Promise<PaymentPage> {
  const limit = Math.min(Math.max(parameters.limit ?? 50, 1), 200);
  let query = db
    .selectFrom("payments")
    .selectAll("payments")
    // The database's own text form keeps microseconds, which a JS Date would lose.
    .select(sql<string>`payments.created_at::text`.as("cursor_at"));
  if (parameters.status) query = query.where("payments.status", "=", parameters.status);
  if (parameters.sessionId) query = query.where("payments.session_id", "=", parameters.sessionId);
  if (parameters.from) query = query.where("payments.created_at", ">=", parameters.from);
  if (parameters.to) query = query.where("payments.created_at", "<", parameters.to);
  if (parameters.ownerKeyId) {
    const owner = parameters.ownerKeyId;
    query = query.where((eb) =>
      eb(
        "payments.session_id",
        "in",
        eb.selectFrom("agent_sessions").select("agent_sessions.id").where("api_key_id", "=", owner),
      ),
    );
  }
  if (parameters.cursor) {
    const [createdAt, id] = decodeCursor(parameters.cursor, cursorSchema);
    query = query.where((eb) =>
      eb.or([
        eb("payments.created_at", "<", sql<Date>`${createdAt}::timestamptz`),
        eb.and([
          eb("payments.created_at", "=", sql<Date>`${createdAt}::timestamptz`),
          eb("payments.id", "<", id),
        ]),
      ]),
    );
  }
  const rows = await query
    .orderBy("payments.created_at", "desc")
    .orderBy("payments.id", "desc")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    payments: page.map(({ cursor_at: _, ...row }) => toPaymentView(row)),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor([last.cursor_at, last.id] satisfies z.input<typeof cursorSchema>)
        : null,
  };
}

/** One payment by id, or undefined. */
export async function getPayment(db: Kysely<Database>, id: string): Promise<Payment | undefined> {
  return db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Totals for one token on one network; amounts of different tokens are never added up. */
export interface PaymentStatsRow {
  asset: string;
  network: string;
  count: number;
  settledCount: number;
  pendingCount: number;
  failedCount: number;
  /** Sent without proof of outcome yet: their amounts may still leave the wallet. */
  unknownCount: number;
  /** Sum of settled payments, base units. */
  settledAmount: string;
  /** Sum of payments still in flight, base units. */
  pendingAmount: string;
  /** Sum of unknown payments (exposure), base units. */
  unknownAmount: string;
}

/** Filters of paymentStats. */
export interface PaymentStatsParameters {
  sessionId?: string | undefined;
  ownerKeyId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Payment counts and sums grouped per (asset, network). */
export async function paymentStats(
  db: Kysely<Database>,
  parameters: PaymentStatsParameters = {},
): Promise<PaymentStatsRow[]> {
  let query = db
    .selectFrom("payments")
    .select([
      "asset",
      "network",
      sql<string>`count(*)::text`.as("count"),
      sql<string>`count(*) filter (where status = 'settled')::text`.as("settled_count"),
      sql<string>`count(*) filter (where status = 'pending')::text`.as("pending_count"),
      sql<string>`count(*) filter (where status = 'failed')::text`.as("failed_count"),
      sql<string>`count(*) filter (where status = 'unknown')::text`.as("unknown_count"),
      sql<string>`coalesce(sum(amount) filter (where status = 'settled'), 0)::text`.as(
        "settled_amount",
      ),
      sql<string>`coalesce(sum(amount) filter (where status = 'pending'), 0)::text`.as(
        "pending_amount",
      ),
      sql<string>`coalesce(sum(amount) filter (where status = 'unknown'), 0)::text`.as(
        "unknown_amount",
      ),
    ]);
  if (parameters.sessionId) query = query.where("session_id", "=", parameters.sessionId);
  if (parameters.from) query = query.where("created_at", ">=", parameters.from);
  if (parameters.to) query = query.where("created_at", "<", parameters.to);
  if (parameters.ownerKeyId) {
    const owner = parameters.ownerKeyId;
    query = query.where((eb) =>
      eb(
        "session_id",
        "in",
        eb.selectFrom("agent_sessions").select("agent_sessions.id").where("api_key_id", "=", owner),
      ),
    );
  }
  const rows = await query
    .groupBy(["asset", "network"])
    .orderBy("network")
    .orderBy("asset")
    .execute();
  return rows.map((row) => ({
    asset: row.asset,
    network: row.network,
    count: Number(row.count),
    settledCount: Number(row.settled_count),
    pendingCount: Number(row.pending_count),
    failedCount: Number(row.failed_count),
    unknownCount: Number(row.unknown_count),
    settledAmount: row.settled_amount,
    pendingAmount: row.pending_amount,
    unknownAmount: row.unknown_amount,
  }));
}

/** The API shape of a payment row. */
export function toPaymentView(row: Payment): PaymentView {
  return {
    id: row.id,
    runId: row.run_id,
    stepId: row.step_id,
    sessionId: row.session_id,
    serviceId: row.service_id,
    resourceUrl: row.resource_url,
    amount: String(row.amount),
    asset: row.asset,
    network: row.network,
    payTo: row.pay_to,
    payer: row.payer,
    nonce: row.nonce,
    txHash: row.tx_hash,
    status: row.status,
    error: row.error,
    validBefore: row.valid_before == null ? null : String(row.valid_before),
    payeeFailed: row.payee_failed,
    cancelTxHash: row.cancel_tx_hash,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    settledAt: row.settled_at ? new Date(row.settled_at).toISOString() : null,
  };
}
