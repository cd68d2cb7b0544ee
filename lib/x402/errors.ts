import { BaseError, type BaseErrorOptions, type ErrorKind } from "../errors/index.js";

/**
 * Errors of the x402 client. Every one of them is raised BEFORE a signature leaves the process
 * unless its doc says otherwise, so a caller can tell "nothing was paid" from "paid, then failed".
 * Names are stable strings: workflow steps recognise them with isErrorNamed() after serialization.
 */

/** Root of the x402 errors. */
export class X402Error extends BaseError {
  static override defaultKind: ErrorKind = "fatal";
  override name = "X402Error";
}

/** The server's 402 (header, body or settlement header) does not follow the x402 protocol. */
export class X402ProtocolError extends X402Error {
  static override defaultKind: ErrorKind = "invalid";
  override name = "X402ProtocolError";
  constructor(reason: string, options: BaseErrorOptions = {}) {
    super(`Malformed x402 response: ${reason}`, options);
  }
}

/** None of the offered requirements uses a scheme we can pay with ("exact"). */
export class UnsupportedSchemeError extends X402Error {
  static override defaultKind: ErrorKind = "invalid";
  override name = "UnsupportedSchemeError";
  constructor(offered: readonly string[]) {
    super(`Unsupported x402 scheme: ${offered.join(", ") || "(none)"}`, {
      metaMessages: ['Paygent pays only with the "exact" scheme (EIP-3009).'],
    });
  }
}

/** None of the offered requirements is on the chain the agent is configured for. */
export class UnsupportedNetworkError extends X402Error {
  static override defaultKind: ErrorKind = "invalid";
  override name = "UnsupportedNetworkError";
  constructor(offered: readonly string[], expected: string) {
    super(
      `Unsupported x402 network: ${offered.join(", ") || "(none)"} (this agent pays on ${expected})`,
    );
  }
}

/** The requested asset is not a token the agent is allowed to pay with. */
export class UnsupportedAssetError extends X402Error {
  static override defaultKind: ErrorKind = "invalid";
  override name = "UnsupportedAssetError";
  constructor(offered: readonly string[], allowed: readonly string[]) {
    super(`Unsupported x402 asset: ${offered.join(", ") || "(none)"}`, {
      metaMessages: [`Allowed assets: ${allowed.join(", ") || "(none)"}`],
    });
  }
}

/** The price is above the caller's per-payment limit. */
export class PriceAboveLimitError extends X402Error {
  static override defaultKind: ErrorKind = "refused";
  override name = "PriceAboveLimitError";
  readonly amount: string;
  readonly limit: string;
  constructor(amount: bigint, limit: bigint, asset: string) {
    super(`Price ${amount} is above the limit ${limit} (base units of ${asset})`);
    this.amount = amount.toString();
    this.limit = limit.toString();
  }
}

/**
 * The server refused a payment we sent (402 again after payment, or a failed settlement).
 * The authorization WAS signed and sent; whether it moved money is answered by the chain
 * (authorizationState), which executePayment checks before giving up.
 */
export class PaymentRejectedError extends X402Error {
  static override defaultKind: ErrorKind = "refused";
  override name = "PaymentRejectedError";
  /** The server's or facilitator's reason code, e.g. "invalid_exact_evm_nonce_already_used". */
  readonly reason: string | undefined;
  constructor(reason: string | undefined, options: BaseErrorOptions = {}) {
    super(`Payment rejected by the server${reason ? `: ${reason}` : ""}`, options);
    this.reason = reason;
  }
}

/** A retry of a step was quoted different terms than the authorization already prepared for it. */
export class RequirementChangedError extends X402Error {
  static override defaultKind: ErrorKind = "conflict";
  override name = "RequirementChangedError";
  constructor(field: string, before: string, after: string) {
    super(
      `The resource changed its price terms since the first attempt (${field}: ${before} → ${after})`,
      {
        metaMessages: [
          "No second authorization is signed for a step; retry as a new attempt if intended.",
        ],
      },
    );
  }
}

/** The prepared authorization expired before it was ever used; a new attempt is needed. */
export class AuthorizationExpiredError extends X402Error {
  static override defaultKind: ErrorKind = "conflict";
  override name = "AuthorizationExpiredError";
}

/**
 * The resource did not answer 402 or 2xx, so there was nothing to pay for. Transient when it did
 * not answer at all, answered 5xx or rate-limited us (a retry may succeed); fatal otherwise.
 */
export class ResourceRequestError extends X402Error {
  override name = "ResourceRequestError";
  readonly status: number | undefined;
  constructor(message: string, status?: number, options: BaseErrorOptions = {}) {
    const transient = status === undefined || status >= 500 || status === 429;
    super(message, { ...options, kind: options.kind ?? (transient ? "transient" : "fatal") });
    this.status = status;
  }
}

/** No payment with this id is visible to the caller (missing, or another key's). */
export class PaymentNotFoundError extends BaseError {
  static override defaultKind: ErrorKind = "not_found";
  override name = "PaymentNotFoundError";
  constructor(paymentId: string) {
    super(`Payment ${paymentId} not found`);
  }
}

/**
 * The server asks for terms other than the ones the caller expected from its pricing probe (another
 * payTo, another asset, a higher price). Raised before anything is signed.
 */
export class PayeeChangedError extends X402Error {
  static override defaultKind: ErrorKind = "refused";
  override name = "PayeeChangedError";
  readonly field: string;
  constructor(field: "payTo" | "asset" | "amount", expected: string, offered: string) {
    super(`The resource now asks for ${field} ${offered} instead of ${expected}`, {
      metaMessages: ["Nothing was signed. Probe the service again and confirm the new terms."],
    });
    this.field = field;
  }
}

/**
 * The payee failed after receiving the signed authorization, and the chain proves nothing was
 * paid: the authorization was cancelled on chain (EIP-3009 cancelAuthorization) or expired unused.
 * Its budget reservation can be released; the step's nonce is spent, so paying again takes a new
 * attempt.
 */
export class PaymentVoidedError extends X402Error {
  override name = "PaymentVoidedError";
  readonly paymentId: string;
  readonly outcome: "cancelled" | "expired";
  readonly cancelTransaction: string | null;
  constructor(
    parameters: {
      paymentId: string;
      outcome: "cancelled" | "expired";
      cancelTransaction?: string | null;
      reason?: string | undefined;
    },
    options: BaseErrorOptions = {},
  ) {
    const how =
      parameters.outcome === "cancelled"
        ? `was cancelled on chain${parameters.cancelTransaction ? ` (${parameters.cancelTransaction})` : ""}`
        : "expired unused";
    super(
      `Payment ${parameters.paymentId} did not complete${parameters.reason ? ` (${parameters.reason})` : ""}; its authorization ${how}, so nothing was paid`,
      {
        ...options,
        metaMessages: [
          ...(options.metaMessages ?? []),
          "Paying again needs a new attempt (a new authorization).",
        ],
      },
    );
    this.paymentId = parameters.paymentId;
    this.outcome = parameters.outcome;
    this.cancelTransaction = parameters.cancelTransaction ?? null;
  }
}

/**
 * A payment's outcome is not proven yet (see UnknownPayment): for callers that must throw rather
 * than return it. Transient: running the step again later finds the resolved payment by its nonce.
 * It never means failed, so a catch must not release the payment's budget reservation.
 */
export class PaymentUnknownError extends X402Error {
  static override defaultKind: ErrorKind = "transient";
  override name = "PaymentUnknownError";
  readonly paymentId: string;
  readonly nonce: string;
  constructor(payment: { paymentId: string; nonce: string; reason: string }) {
    super(`Payment ${payment.paymentId} is not settled yet: ${payment.reason}`, {
      metaMessages: [
        "The payee may still settle it until its authorization expires; its budget stays reserved.",
      ],
    });
    this.paymentId = payment.paymentId;
    this.nonce = payment.nonce;
  }
}
