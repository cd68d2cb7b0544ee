import { type Kysely, sql } from "kysely";
import type { Address, Hex } from "viem";
import type { Database, Payment } from "../db/database.js";
import { storableJson } from "../db/storableJson.js";
import { storableText } from "../db/storableText.js";
import { X402Error } from "./errors.js";
import type { PaymentRequirement } from "./requirements.js";

/**
 * The payments table as the x402 client writes it. Every write is keyed by the EIP-3009 nonce and
 * guarded by the current status, so a late writer can never move a payment out of a final state
 * (settled, cancelled, expired) or mark "failed" one whose signature already left the process.
 * What a payee said (its terms, reasons, content) is written through storableText/storableJson:
 * a NUL in it must not make the write that books the payment fail.
 */

/** The content a payment bought, or null when it could not be fetched again after a recovery. */
export interface PaymentContent {
  status: number;
  body: string;
  truncated: boolean;
  contentType: string | null;
}

/** Stored with the row so a retry signs the same terms (see migration 0004). */
interface StoredRequirement {
  requirement: PaymentRequirement;
}

/** Statuses nothing may move a payment out of. */
export const FINAL_PAYMENT_STATUSES = ["settled", "cancelled", "expired"] as const;

/** Stable id of a payment row: the nonce decides it, so retries find the same row. */
export function paymentIdFor(nonce: Hex): string {
  return `pay_${nonce.slice(2, 26)}`;
}

/** The payment of one nonce, if any. */
export async function findPaymentByNonce(
  db: Kysely<Database>,
  nonce: Hex,
): Promise<Payment | undefined> {
  return db.selectFrom("payments").selectAll().where("nonce", "=", nonce).executeTakeFirst();
}

async function reload(db: Kysely<Database>, nonce: Hex): Promise<Payment> {
  const row = await findPaymentByNonce(db, nonce);
  if (!row) throw new X402Error(`Payment row for nonce ${nonce} is missing`);
  return row;
}

/** What insertPendingPayment records before the first signature. */
export interface PendingPaymentValues {
  paymentId: string;
  nonce: Hex;
  runId: string;
  stepId: string;
  sessionId: string | null;
  serviceId: string | null;
  url: string;
  payer: Address;
  requirement: PaymentRequirement;
  validBefore: bigint;
  searchFromBlock: bigint;
  reservation: { runId: string; stepIndex: number } | undefined;
}

/**
 * Inserts the pending row with the terms about to be signed, or returns the row an earlier
 * attempt inserted (its terms and window win, which is what makes a retry byte-identical).
 */
export async function insertPendingPayment(
  db: Kysely<Database>,
  values: PendingPaymentValues,
): Promise<Payment> {
  const { requirement, nonce } = values;
  // RETURNING saves the pay path two round trips (issue 14's benchmark): a fresh row is the answer.
  const inserted = await db
    .insertInto("payments")
    .values({
      id: values.paymentId,
      run_id: values.runId,
      step_id: values.stepId,
      session_id: values.sessionId,
      service_id: values.serviceId,
      resource_url: values.url,
      amount: requirement.amount,
      asset: requirement.asset,
      network: requirement.network,
      pay_to: requirement.payTo,
      payer: values.payer,
      nonce,
      status: "pending",
      valid_after: 0n,
      valid_before: values.validBefore,
      requirement: JSON.stringify(storableJson({ requirement } satisfies StoredRequirement)),
      search_from_block: values.searchFromBlock,
      reservation_run_id: values.reservation?.runId ?? null,
      reservation_step_index: values.reservation?.stepIndex ?? null,
    })
    .onConflict((conflict) => conflict.column("nonce").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  // A retry of an attempt that provably never sent anything starts over from "pending".
  const restarted = await db
    .updateTable("payments")
    .set({ status: "pending", error: null, updated_at: sql`now()` })
    .where("nonce", "=", nonce)
    .where("status", "=", "failed")
    .where("sent_at", "is", null)
    .returningAll()
    .executeTakeFirst();
  return restarted ?? reload(db, nonce);
}

/**
 * Records that the signed authorization is about to leave the process (first time only). A row
 * that is "failed" goes back to "pending": a concurrent delivery of the same step may have failed
 * it (before anything was sent) while this one signed, and a sent payment is never failed.
 */
export async function markPaymentSent(db: Kysely<Database>, nonce: Hex): Promise<Payment> {
  const row = await db
    .updateTable("payments")
    .set({
      sent_at: sql`coalesce(sent_at, now())`,
      status: sql<Payment["status"]>`case when status = 'failed' then 'pending' else status end`,
      updated_at: sql`now()`,
    })
    .where("nonce", "=", nonce)
    .returningAll()
    .executeTakeFirst();
  return row ?? reload(db, nonce);
}

/** The chain shows the authorization used: the payment is settled (content kept when known). */
export async function markPaymentSettled(
  db: Kysely<Database>,
  nonce: Hex,
  settlement: { transaction: Hex | null; payer: Address; content?: PaymentContent | null },
): Promise<Payment> {
  const row = await db
    .updateTable("payments")
    .set({
      status: "settled",
      tx_hash: sql`coalesce(${settlement.transaction}, tx_hash)`,
      payer: settlement.payer,
      // Kept so a step retried after this point still returns what was bought.
      ...(settlement.content ? { response: JSON.stringify(storableJson(settlement.content)) } : {}),
      error: null,
      settled_at: sql`coalesce(settled_at, now())`,
      updated_at: sql`now()`,
    })
    .where("nonce", "=", nonce)
    .where("status", "not in", ["cancelled", "expired"])
    .returningAll()
    .executeTakeFirst();
  return row ?? reload(db, nonce);
}

/**
 * Nothing left the process: the payment failed and provably cost nothing. A row whose
 * authorization was sent is never marked failed (see markPaymentUnknown).
 */
export async function markPaymentFailed(
  db: Kysely<Database>,
  nonce: Hex,
  error: unknown,
): Promise<void> {
  await db
    .updateTable("payments")
    .set({ status: "failed", error: reasonOf(error), updated_at: sql`now()` })
    .where("nonce", "=", nonce)
    .where("status", "in", ["pending", "failed"])
    .where("sent_at", "is", null)
    .execute();
}

/**
 * The authorization left the process and the chain does not show it used yet: the outcome is
 * unknown, the reservation stays, and the reconciler owes it a resolution (unknown_since).
 */
export async function markPaymentUnknown(
  db: Kysely<Database>,
  nonce: Hex,
  details: { reason: string; payeeFailed: boolean; content?: PaymentContent | null },
): Promise<Payment> {
  await db
    .updateTable("payments")
    .set({
      status: "unknown",
      error: storableText(details.reason.slice(0, 500)),
      // Once the payee failed it stays failed, even if a later report sounds better.
      payee_failed: details.payeeFailed ? true : sql<boolean>`payee_failed`,
      unknown_since: sql`coalesce(unknown_since, now())`,
      ...(details.content ? { response: JSON.stringify(storableJson(details.content)) } : {}),
      updated_at: sql`now()`,
    })
    .where("nonce", "=", nonce)
    .where("status", "in", ["pending", "failed", "unknown"])
    .execute();
  return reload(db, nonce);
}

/**
 * The run's workflow ended (its retries ran out, it was cancelled) while a payment it sent was
 * still pending: no step will come back for it, so its outcome is unknown now rather than once the
 * reconciler's stale wait (10 min) has passed; the next reconciler pass asks the chain. Payments
 * never sent cannot move money and are left as they are. Returns how many were marked.
 */
export async function markEndedRunPaymentsUnknown(
  db: Kysely<Database>,
  runId: string,
): Promise<number> {
  const marked = await db
    .updateTable("payments")
    .set({
      status: "unknown",
      error: "Its run ended before the payment's outcome was recorded",
      unknown_since: sql`coalesce(unknown_since, now())`,
      updated_at: sql`now()`,
    })
    .where("run_id", "=", runId)
    .where("status", "=", "pending")
    .where("sent_at", "is not", null)
    .executeTakeFirst();
  return Number(marked.numUpdatedRows);
}

/** The chain proves the authorization can never move money: cancelled on chain, or expired. */
export async function markPaymentVoided(
  db: Kysely<Database>,
  nonce: Hex,
  details: { status: "cancelled" | "expired"; cancelTransaction?: Hex | null; reason?: string },
): Promise<Payment> {
  await db
    .updateTable("payments")
    .set({
      status: details.status,
      ...(details.cancelTransaction ? { cancel_tx_hash: details.cancelTransaction } : {}),
      ...(details.reason ? { error: storableText(details.reason.slice(0, 500)) } : {}),
      updated_at: sql`now()`,
    })
    .where("nonce", "=", nonce)
    .where("status", "in", ["pending", "failed", "unknown"])
    .execute();
  return reload(db, nonce);
}

/** Records the cancelAuthorization transaction as soon as it is sent (before it is mined). */
export async function recordCancelTransaction(
  db: Kysely<Database>,
  nonce: Hex,
  hash: Hex,
): Promise<void> {
  await db
    .updateTable("payments")
    .set({ cancel_tx_hash: hash, updated_at: sql`now()` })
    .where("nonce", "=", nonce)
    .execute();
}

/** The requirement signed for this payment (persisted before the first signature). */
export function storedRequirement(row: Payment): PaymentRequirement | null {
  return (row.requirement as StoredRequirement | null)?.requirement ?? null;
}

/** The content kept with the row, if any. */
export function storedContent(row: Payment): PaymentContent | null {
  const content = row.response as PaymentContent | null;
  return content && typeof content.body === "string" ? content : null;
}

/** First block worth searching for the authorization's events. */
export function searchFrom(row: Payment | undefined): bigint | undefined {
  return row?.search_from_block == null ? undefined : BigInt(row.search_from_block);
}

function reasonOf(error: unknown): string {
  return storableText((error instanceof Error ? error.message : String(error)).slice(0, 500));
}
