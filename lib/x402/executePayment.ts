import type { Kysely } from "kysely";
import type { Account, Address, PublicClient } from "viem";
import { holdReservationForSend, ledgerId } from "../budget/index.js";
import type { ChainContext } from "../chain/clients.js";
import type { Database, Payment } from "../db/database.js";
import { storableJson } from "../db/storableJson.js";
import { injectFault } from "../faults/injectFault.js";
import { log } from "../log.js";
import { boundedValidBefore } from "./boundedValidBefore.js";
import { AuthorizationExpiredError, PaymentRejectedError, X402Error } from "./errors.js";
import { assertExpectedTerms, assertSameTerms, type ExpectedTerms } from "./expectedTerms.js";
import { finishPaidAnswer, resolveAfterSend, reviewEarlierAttempt } from "./finishPayment.js";
import { markSentWithinReservation } from "./markSentWithinReservation.js";
import { deriveNonce } from "./nonce.js";
import { type AuthorizationTerms, type PaidResource, payForResource } from "./payForResource.js";
import type { PaymentOutcome } from "./paymentOutcome.js";
import { contentOf } from "./paymentOutcome.js";
import {
  findPaymentByNonce,
  insertPendingPayment,
  markPaymentFailed,
  paymentIdFor,
  storedRequirement,
} from "./paymentRecords.js";
import { recordPaymentEvidence } from "./recordPaymentEvidence.js";
import type { PaymentRequirement } from "./requirements.js";
import { type AllowedAsset, selectRequirement } from "./selectRequirement.js";

export type { PaymentOutcome, SettledPayment, UnknownPayment } from "./paymentOutcome.js";
export type { PaymentContent } from "./paymentRecords.js";
export { paymentIdFor } from "./paymentRecords.js";

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
  /** Terms a pricing probe saw (payTo, asset, price ceiling): anything else is refused unsigned. */
  expected?: ExpectedTerms | undefined;
  /**
   * The key's payee rules (lib/policy guardPayee), run on the payTo the 402 names before anything
   * is signed: the policy gate before the step could not know it. Throws to refuse.
   */
  checkPayee?: ((payee: { payTo: Address; url: string }) => Promise<void>) | undefined;
  /** The budget reservation this payment counts against (booked by resolveUnknownPayments). */
  reservation?: { runId: string; stepIndex: number } | undefined;
  /** The agent wallet; must sign locally (a viem local account). */
  account: Account;
  publicClient: PublicClient;
  /**
   * The agent's chain context, to cancel (EIP-3009) an authorization a failed payee holds. Without
   * it such a payment stays unknown until it settles or expires.
   */
  chain?: ChainContext | undefined;
  /** Bound on the authorization's validity; defaults to X402_AUTHORIZATION_TTL_SECONDS. */
  authorizationTtlSeconds?: number | undefined;
  /** Only bumped to pay again deliberately after an authorization was voided (cancelled/expired). */
  attempt?: number | undefined;
  fetch?: typeof fetch;
  /**
   * How the resource is requested and paid: HTTP (payForResource) unless given; x402 over MCP
   * passes lib/mcp/client/mcpToolTransport. Everything else (nonce, row, onSigned, recovery from
   * the chain) is shared, so both transports pay exactly once and never call a sent payment failed.
   */
  transport?: typeof payForResource | undefined;
}

/**
 * The exactly-once pay step body. The nonce comes from (runId, stepId, attempt), and the payment
 * row (keyed by that nonce) stores the signed terms before the first send, so however often the
 * step runs, at most one authorization exists and the token contract lets it move money once.
 *
 * A signed authorization is exposure until the chain says otherwise. Its validity is bounded by
 * X402_AUTHORIZATION_TTL_SECONDS whatever the server asks; once it has left the process the
 * payment is never "failed": it is settled (used on chain), voided (cancelled on chain, or expired
 * — PaymentVoidedError), or unknown (returned as such, reservation kept). A payee that answers a
 * failure after receiving it gets the authorization cancelled on chain when `chain` is given.
 *
 * Order: derive nonce → earlier attempt? answer from the row or the chain → request, 402, select
 * (limits and expected terms before signing; the budget was reserved by the caller) → upsert the row → sign → mark sent → send
 * → prove the settlement on chain (receipt or authorizationState) → settled | unknown.
 */
export async function executePayment(
  parameters: ExecutePaymentParameters,
): Promise<PaymentOutcome> {
  const { db, runId, stepId, account, publicClient } = parameters;
  const nonce = deriveNonce({ runId, stepId, attempt: parameters.attempt ?? 0 });
  const paymentId = paymentIdFor(nonce);
  const chainId = publicClient.chain?.id ?? (await publicClient.getChainId());

  const existing = await findPaymentByNonce(db, nonce);
  if (existing) {
    const earlier = await reviewEarlierAttempt(parameters, existing);
    if (earlier) return earlier;
  }

  // Where the reconciler starts looking for this nonce's events: read while the first (unpaid)
  // request is in flight rather than after it, one RPC round trip off the pay path. An earlier
  // block is only a wider search, never a missed event.
  const startBlock = publicClient.getBlockNumber().then(
    (block) => ({ block }),
    (error: unknown) => ({ error }),
  );
  const authorize = async (requirement: PaymentRequirement): Promise<AuthorizationTerms> => {
    if (parameters.expected) assertExpectedTerms(parameters.expected, requirement);
    await parameters.checkPayee?.({ payTo: requirement.payTo, url: parameters.url });
    const searchFromBlock = await startBlock.then((read) => {
      if ("error" in read) throw read.error;
      return read.block;
    });
    // The row that makes this payment count as sent (stepEvidence) is written under the budget
    // fence: a reservation released meanwhile (the run ended) refuses the payment unsigned, and
    // a release decided before this row existed can no longer go through.
    const row = await db.transaction().execute(async (trx) => {
      if (parameters.reservation)
        await holdReservationForSend(trx, ledgerId(parameters.reservation));
      return insertPendingPayment(trx, {
        paymentId,
        nonce,
        runId,
        stepId,
        sessionId: parameters.sessionId,
        serviceId: parameters.serviceId ?? null,
        url: parameters.url,
        payer: account.address,
        requirement,
        validBefore: boundedValidBefore({
          maxTimeoutSeconds: requirement.maxTimeoutSeconds,
          ttlSeconds: parameters.authorizationTtlSeconds,
        }),
        searchFromBlock,
        reservation: parameters.reservation,
      });
    });
    const stored = storedRequirement(row);
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
    paid = await (parameters.transport ?? payForResource)({
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
      // The fence again as the signature is about to leave; refused → nothing is sent.
      onSigned: async () => {
        await markSentWithinReservation(db, { nonce, reservation: parameters.reservation });
      },
    });
  } catch (error) {
    const row: Payment | undefined = await findPaymentByNonce(db, nonce);
    if (!row) throw error; // refused before any row: nothing was signed
    if (!row.sent_at) {
      await markPaymentFailed(db, nonce, error);
      throw error;
    }
    // Signed and sent, then the payee failed: only the chain can say what that cost.
    return resolveAfterSend(parameters, row, { error, payeeFailed: true });
  }

  if (!paid.paid) {
    // An earlier attempt of this step sent an authorization and was cut off before its answer (a
    // killed host, a step deadline), and the payee now asks nothing. It still holds that
    // authorization and may settle it later: a failed payee like any other after a send
    // (cancelled on chain when possible, else unknown with its reservation kept), never "0 spent".
    // (Read now, not from `existing`: a duplicate delivery of the step may be sending it meanwhile.)
    const sent = await findPaymentByNonce(db, nonce);
    if (sent?.sent_at) {
      const error = new PaymentRejectedError(
        "answered without payment after an authorization was sent",
      );
      return resolveAfterSend(parameters, sent, { error, payeeFailed: true });
    }
    // The resource did not ask for money: nothing to record, nothing spent.
    return {
      paymentId,
      status: "settled",
      via: "not-required",
      movedMoney: false,
      payeeFailed: false,
      amount: "0",
      asset: "0x0000000000000000000000000000000000000000",
      network: `eip155:${chainId}`,
      payTo: "0x0000000000000000000000000000000000000000",
      payer: account.address as Address,
      nonce,
      transaction: null,
      settledAt: new Date(),
      content: contentOf(paid),
      requirement: null,
    };
  }

  // Durability tests: die after settlement and before recording it.
  injectFault("after-settle");
  const row = await findPaymentByNonce(db, nonce);
  if (!row) throw new X402Error(`Payment row for nonce ${nonce} vanished after payment`);
  // The payee's own JSON: a NUL in it must not fail the booking of a payment it settled (a signed
  // part holding one no longer verifies once stored, but it could never be stored as received).
  try {
    await recordPaymentEvidence(db, nonce, storableJson(paid.evidence));
  } catch (error) {
    // The evidence is the payee's words; failing to keep them must not leave a payment that moved
    // money unbooked (the step would fail with its reservation given back while the chain shows
    // the transfer). Booked without them; the chain is the proof.
    log.warn("payee evidence not stored; the payment is booked without it", {
      nonce,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return finishPaidAnswer(parameters, row, paid);
}
