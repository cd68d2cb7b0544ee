import type { Address, Hex } from "viem";
import type { Payment } from "../db/database.js";
import type { PaidResource } from "./payForResource.js";
import { type PaymentContent, storedContent, storedRequirement } from "./paymentRecords.js";
import type { PaymentRequirement } from "./requirements.js";

/** The signed terms every pay-step outcome carries. */
interface PaymentTerms {
  amount: string;
  asset: Address;
  network: string;
  payTo: Address;
  payer: Address;
  nonce: Hex;
}

/** A payment the chain shows settled (or a resource that asked for nothing). */
export interface SettledPayment extends PaymentTerms {
  paymentId: string;
  status: "settled";
  /**
   * How the settlement was established: "paid" now; "already-settled" from our own row (no
   * network); "recovered" from the chain after an attempt whose answer did not prove it;
   * "not-required" when the resource answered without asking for payment (amount "0").
   */
  via: "paid" | "already-settled" | "recovered" | "not-required";
  /** Settled by this call and nothing else; false means no money moved in this call. */
  movedMoney: boolean;
  /** The payee answered a failure although it took the money: record a bad outcome for it. */
  payeeFailed: boolean;
  transaction: Hex | null;
  settledAt: Date;
  content: PaymentContent | null;
  requirement: PaymentRequirement | null;
}

/**
 * A payment whose signed authorization left the process without proof of what became of it: the
 * payee may still settle it until `validBefore`. Keep the reservation; wait on `payment:<nonce>`
 * (the payment webhook or resolveUnknownPayments wakes it) and run the step again to collect the
 * outcome. Never treat it as failed.
 */
export interface UnknownPayment extends PaymentTerms {
  paymentId: string;
  status: "unknown";
  reason: string;
  payeeFailed: boolean;
  /** Unix seconds after which the chain refuses the authorization. */
  validBefore: string;
  /** What the resource answered, when it answered (an asynchronous facilitator's content). */
  content: PaymentContent | null;
  requirement: PaymentRequirement | null;
}

/** Result of a pay step: settled or unknown (refusals and proven non-payments throw). */
export type PaymentOutcome = SettledPayment | UnknownPayment;

/** A settled outcome from the stored row. */
export function settledOutcome(
  row: Payment,
  via: SettledPayment["via"],
  options: {
    content?: PaymentContent | null;
    requirement?: PaymentRequirement | null;
    movedMoney?: boolean;
  } = {},
): SettledPayment {
  return {
    paymentId: row.id,
    status: "settled",
    via,
    movedMoney: options.movedMoney ?? false,
    payeeFailed: row.payee_failed,
    amount: String(row.amount),
    asset: row.asset as Address,
    network: row.network,
    payTo: row.pay_to as Address,
    payer: (row.payer ?? "0x") as Address,
    nonce: row.nonce as Hex,
    transaction: (row.tx_hash ?? null) as Hex | null,
    settledAt: row.settled_at ?? new Date(),
    content: options.content === undefined ? storedContent(row) : options.content,
    requirement: options.requirement === undefined ? storedRequirement(row) : options.requirement,
  };
}

/** An unknown outcome from the stored row. */
export function unknownOutcome(row: Payment, reason: string): UnknownPayment {
  return {
    paymentId: row.id,
    status: "unknown",
    reason,
    payeeFailed: row.payee_failed,
    amount: String(row.amount),
    asset: row.asset as Address,
    network: row.network,
    payTo: row.pay_to as Address,
    payer: (row.payer ?? "0x") as Address,
    nonce: row.nonce as Hex,
    validBefore: String(row.valid_before ?? "0"),
    content: storedContent(row),
    requirement: storedRequirement(row),
  };
}

/** The content part of a resource's answer. */
export function contentOf(paid: PaidResource): PaymentContent {
  return {
    status: paid.status,
    body: paid.body,
    truncated: paid.truncated,
    contentType: paid.contentType,
  };
}
