import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { Account, Address, Hex, PublicClient } from "viem";
import { getConfig } from "../config.js";
import type { Database, Payment } from "../db/database.js";
import { log } from "../log.js";
import {
  AuthorizationExpiredError,
  PaymentRejectedError,
  RequirementChangedError,
  ResourceRequestError,
  X402Error,
} from "./errors.js";
import { findAuthorizationUse } from "./findAuthorizationUse.js";
import { deriveNonce } from "./nonce.js";
import { type AuthorizationTerms, type PaidResource, payForResource } from "./payForResource.js";
import type { PaymentRequirement } from "./requirements.js";
import { type AllowedAsset, selectRequirement } from "./selectRequirement.js";

/** Inputs of executePayment: one pay step of one run. */
export interface ExecutePaymentParameters {
  db: Kysely<Database>;
  runId: string;
  /** The workflow step id: with runId it fixes the nonce, hence the single on-chain transfer. */
  stepId: string;
  sessionId: string | null;
  serviceId?: string | null | undefined;
  url: string;
  /** Per-payment limit in base units of the paid token. */
  maxAmount: bigint | string;
  /** Token to pay with (symbol or address); any allowed token when omitted. */
  token?: string | undefined;
  /** Tokens the agent may spend (the chain registry's list). */
  allowedAssets: readonly AllowedAsset[];
  /** The agent wallet; must sign locally (a viem local account). */
  account: Account;
  publicClient: PublicClient;
  /** Only bumped to pay again deliberately after an expired, unused authorization. */
  attempt?: number | undefined;
  fetch?: typeof fetch;
}

/** The content a payment bought, or null when it could not be fetched again after a recovery. */
export interface PaymentContent {
  status: number;
  body: string;
  truncated: boolean;
  contentType: string | null;
}

/** Result of a pay step: always a settled payment (failures throw). */
export interface PaymentOutcome {
  paymentId: string;
  status: "settled";
  /**
   * How the settlement was established: "paid" now; "already-settled" from our own row (no
   * network); "recovered" from the chain after an earlier attempt paid without being recorded;
   * "not-required" when the resource answered without asking for payment (amount "0").
   */
  via: "paid" | "already-settled" | "recovered" | "not-required";
  /** Settled by this process and nothing else; false means no money moved in this call. */
  movedMoney: boolean;
  amount: string;
  asset: Address;
  network: string;
  payTo: Address;
  payer: Address;
  nonce: Hex;
  transaction: Hex | null;
  settledAt: Date;
  content: PaymentContent | null;
  requirement: PaymentRequirement | null;
}

/** Stored with the row so a retry signs the same terms (see migration 0004). */
interface StoredRequirement {
  requirement: PaymentRequirement;
}

/** Test fault injection: dies like a crashed host would, after settlement and before recording it. */
function injectFault(point: "after-settle"): void {
  if (getConfig().PAYGENT_FAULT === point) {
    log.warn("fault injection: killing the process", { point, pid: process.pid });
    process.kill(process.pid, "SIGKILL");
  }
}

/**
 * The exactly-once pay step body. The nonce comes from (runId, stepId, attempt), and the payment
 * row (keyed by that nonce) stores the signed terms before the first send, so however often the
 * step runs, at most one authorization exists and the token contract lets it move money once.
 *
 * Order: derive nonce → settled row? return it → earlier attempt? ask the chain → request,
 * 402, select (limits before signing; the budget was reserved by the caller) → upsert the row → sign and send → mark
 * settled. A refusal that says the nonce is used is answered from the chain (AuthorizationUsed),
 * never by paying again.
 */
export async function executePayment(
  parameters: ExecutePaymentParameters,
): Promise<PaymentOutcome> {
  const { db, runId, stepId, account, publicClient } = parameters;
  const nonce = deriveNonce({ runId, stepId, attempt: parameters.attempt ?? 0 });
  const paymentId = paymentIdFor(nonce);
  const chainId = publicClient.chain?.id ?? (await publicClient.getChainId());

  const existing = await findByNonce(db, nonce);
  if (existing?.status === "settled") {
    return outcomeFromRow(existing, "already-settled", storedContent(existing));
  }
  if (existing) {
    // An earlier attempt got as far as signing: the chain knows whether it paid.
    const recovered = await recoverFromChain(parameters, existing, nonce);
    if (recovered) return recovered;
  }

  let row: Payment | undefined = existing;
  const authorize = async (requirement: PaymentRequirement): Promise<AuthorizationTerms> => {
    row = await upsertPendingRow(db, parameters, { paymentId, nonce, requirement, publicClient });
    const stored = (row.requirement as StoredRequirement | null)?.requirement;
    if (stored) assertSameTerms(stored, requirement);
    const validBefore = BigInt(row.valid_before ?? 0);
    if (validBefore <= BigInt(Math.floor(Date.now() / 1000)) + 6n) {
      throw new AuthorizationExpiredError(
        "The authorization prepared for this step expired before it was used",
        { metaMessages: ["Nothing was paid. Run the step again with attempt + 1 to pay anew."] },
      );
    }
    return { nonce, validAfter: BigInt(row.valid_after ?? 0), validBefore };
  };

  let paid: PaidResource;
  try {
    paid = await payForResource({
      url: parameters.url,
      account,
      publicClient,
      fetch: parameters.fetch,
      select: (required) =>
        selectRequirement({
          accepts: required.accepts,
          chainId,
          allowedAssets: parameters.allowedAssets,
          maxAmount: BigInt(parameters.maxAmount),
          token: parameters.token,
        }),
      authorize,
    });
  } catch (error) {
    const current = row as Payment | undefined;
    if (
      current &&
      (error instanceof PaymentRejectedError || error instanceof ResourceRequestError)
    ) {
      // Signed and sent: whatever the server said, the chain decides whether money moved.
      const recovered = await recoverFromChain(parameters, current, nonce);
      if (recovered) return recovered;
    }
    if (current) await markFailed(db, nonce, error);
    throw error;
  }

  if (!paid.paid) {
    // The resource did not ask for money: nothing to record, nothing spent.
    return {
      paymentId,
      status: "settled",
      via: "not-required",
      movedMoney: false,
      amount: "0",
      asset: "0x0000000000000000000000000000000000000000",
      network: `eip155:${chainId}`,
      payTo: "0x0000000000000000000000000000000000000000",
      payer: account.address,
      nonce,
      transaction: null,
      settledAt: new Date(),
      content: contentOf(paid),
      requirement: null,
    };
  }

  injectFault("after-settle");

  let transaction = paid.settlement?.transaction ?? null;
  if (!transaction && paid.requirement) {
    // A server that settles without a PAYMENT-RESPONSE header: find the transfer ourselves.
    const use = await findAuthorizationUse(publicClient, {
      asset: paid.requirement.asset,
      payer: account.address,
      nonce,
      fromBlock: searchFrom(row),
    });
    if (!use.used) {
      await markFailed(
        db,
        nonce,
        new PaymentRejectedError("server returned content but did not settle"),
      );
      throw new PaymentRejectedError(
        "server returned content but the authorization is unused on chain",
      );
    }
    transaction = use.transaction;
  }
  const content = contentOf(paid);
  const settled = await markSettled(db, nonce, { transaction, payer: account.address, content });
  return outcomeFromRow(settled, "paid", content, paid.requirement, true);
}

/** Stable id of a payment row: the nonce decides it, so retries find the same row. */
export function paymentIdFor(nonce: Hex): string {
  return `pay_${nonce.slice(2, 26)}`;
}

async function findByNonce(db: Kysely<Database>, nonce: Hex): Promise<Payment | undefined> {
  return db.selectFrom("payments").selectAll().where("nonce", "=", nonce).executeTakeFirst();
}

/**
 * Inserts the pending row with the terms about to be signed, or returns the row an earlier
 * attempt inserted (its terms win, which is what makes a retry byte-identical).
 */
async function upsertPendingRow(
  db: Kysely<Database>,
  parameters: ExecutePaymentParameters,
  input: {
    paymentId: string;
    nonce: Hex;
    requirement: PaymentRequirement;
    publicClient: PublicClient;
  },
): Promise<Payment> {
  const { requirement, nonce } = input;
  const now = BigInt(Math.floor(Date.now() / 1000));
  const fromBlock = await input.publicClient.getBlockNumber();
  await db
    .insertInto("payments")
    .values({
      id: input.paymentId,
      run_id: parameters.runId,
      step_id: parameters.stepId,
      session_id: parameters.sessionId,
      service_id: parameters.serviceId ?? null,
      resource_url: parameters.url,
      amount: requirement.amount,
      asset: requirement.asset,
      network: requirement.network,
      pay_to: requirement.payTo,
      payer: parameters.account.address,
      nonce,
      status: "pending",
      valid_after: 0n,
      valid_before: now + BigInt(requirement.maxTimeoutSeconds),
      requirement: JSON.stringify({ requirement } satisfies StoredRequirement),
      search_from_block: fromBlock,
    })
    .onConflict((conflict) => conflict.column("nonce").doNothing())
    .execute();
  const row = await findByNonce(db, nonce);
  if (!row) throw new X402Error(`Payment row for nonce ${nonce} vanished after insert`);
  if (row.status === "failed") {
    // A retry of a failed attempt re-sends the very same authorization; mark it in flight again.
    await db
      .updateTable("payments")
      .set({ status: "pending", error: null, updated_at: sql`now()` })
      .where("nonce", "=", nonce)
      .where("status", "=", "failed")
      .execute();
    return { ...row, status: "pending", error: null };
  }
  return row;
}

function assertSameTerms(stored: PaymentRequirement, fresh: PaymentRequirement): void {
  const fields = ["amount", "asset", "payTo", "network"] as const;
  for (const field of fields) {
    if (String(stored[field]).toLowerCase() !== String(fresh[field]).toLowerCase()) {
      throw new RequirementChangedError(field, String(stored[field]), String(fresh[field]));
    }
  }
}

/**
 * If the chain says the row's authorization was used, records the settlement (tx hash from the
 * AuthorizationUsed event) and returns it, with the content when a plain request still gets it.
 */
async function recoverFromChain(
  parameters: ExecutePaymentParameters,
  row: Payment,
  nonce: Hex,
): Promise<PaymentOutcome | undefined> {
  const payer = (row.payer ?? parameters.account.address) as Address;
  const use = await findAuthorizationUse(parameters.publicClient, {
    asset: row.asset as Address,
    payer,
    nonce,
    fromBlock: searchFrom(row),
  });
  if (!use.used) return undefined;
  log.info("x402 payment recovered from chain", {
    paymentId: row.id,
    transaction: use.transaction,
  });
  const content = await refetchContent(parameters);
  const settled = await markSettled(parameters.db, nonce, {
    transaction: use.transaction,
    payer,
    content,
  });
  const stored = (row.requirement as StoredRequirement | null)?.requirement ?? null;
  return outcomeFromRow(settled, "recovered", content, stored);
}

/**
 * The content of an already-paid resource, if the server gives it without a new payment.
 * Under "exact" most servers will not (the authorization is spent); then content stays null.
 */
async function refetchContent(
  parameters: ExecutePaymentParameters,
): Promise<PaymentContent | null> {
  try {
    const response = await (parameters.fetch ?? fetch)(parameters.url, {
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const text = await response.text();
    const max = 64 * 1024;
    return {
      status: response.status,
      body: text.length > max ? text.slice(0, max) : text,
      truncated: text.length > max,
      contentType: response.headers.get("content-type"),
    };
  } catch {
    return null;
  }
}

function searchFrom(row: Payment | undefined): bigint | undefined {
  return row?.search_from_block == null ? undefined : BigInt(row.search_from_block);
}

async function markSettled(
  db: Kysely<Database>,
  nonce: Hex,
  settlement: { transaction: Hex | null; payer: Address; content: PaymentContent | null },
): Promise<Payment> {
  await db
    .updateTable("payments")
    .set({
      status: "settled",
      tx_hash: settlement.transaction,
      payer: settlement.payer,
      // Kept so a step retried after this point still returns what was bought.
      response: settlement.content ? JSON.stringify(settlement.content) : null,
      error: null,
      settled_at: sql`coalesce(settled_at, now())`,
      updated_at: sql`now()`,
    })
    .where("nonce", "=", nonce)
    .execute();
  const row = await findByNonce(db, nonce);
  if (!row) throw new X402Error(`Payment row for nonce ${nonce} is missing`);
  return row;
}

async function markFailed(db: Kysely<Database>, nonce: Hex, error: unknown): Promise<void> {
  const reason = error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
  await db
    .updateTable("payments")
    .set({ status: "failed", error: reason, updated_at: sql`now()` })
    .where("nonce", "=", nonce)
    .where("status", "!=", "settled")
    .execute();
}

function storedContent(row: Payment): PaymentContent | null {
  const content = row.response as PaymentContent | null;
  return content && typeof content.body === "string" ? content : null;
}

function contentOf(paid: PaidResource): PaymentContent {
  return {
    status: paid.status,
    body: paid.body,
    truncated: paid.truncated,
    contentType: paid.contentType,
  };
}

function outcomeFromRow(
  row: Payment,
  via: PaymentOutcome["via"],
  content: PaymentContent | null,
  requirement: PaymentRequirement | null = (row.requirement as StoredRequirement | null)
    ?.requirement ?? null,
  movedMoney = false,
): PaymentOutcome {
  return {
    paymentId: row.id,
    status: "settled",
    via,
    movedMoney,
    amount: String(row.amount),
    asset: row.asset as Address,
    network: row.network,
    payTo: row.pay_to as Address,
    payer: (row.payer ?? "0x") as Address,
    nonce: row.nonce as Hex,
    transaction: (row.tx_hash ?? null) as Hex | null,
    settledAt: row.settled_at ?? new Date(),
    content,
    requirement,
  };
}
