import {
  BaseError,
  type BaseErrorOptions,
  type ErrorKind,
  printableText,
} from "../errors/index.js";

/**
 * Chain errors. Each sets `name` so workflow steps can recognise them after serialization
 * (isErrorNamed), and none ever carries a private key: messages name addresses and hashes only.
 */

/** The local devnet (anvil) could not be started, reached or stopped. */
export class DevnetError extends BaseError {
  static override defaultKind: ErrorKind = "fatal";
  override name = "DevnetError";
}

/** The RPC endpoint did not answer or answered with a transport failure; a retry may succeed. */
export class ChainUnavailableError extends BaseError {
  static override defaultKind: ErrorKind = "transient";
  override name = "ChainUnavailableError";
}

/** A token symbol or alias is not in the network's registry. */
export class UnknownTokenError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "UnknownTokenError";
  readonly symbol: string;
  constructor(symbol: string, network: string, options: BaseErrorOptions = {}) {
    super(`Unknown token "${symbol}" on ${network}`, options);
    this.symbol = symbol;
  }
}

/** The wallet holds less than the operation needs (checked before sending, so nothing is spent). */
export class InsufficientBalanceError extends BaseError {
  static override defaultKind: ErrorKind = "refused";
  override name = "InsufficientBalanceError";
  readonly token: string;
  readonly required: string;
  readonly available: string;
  constructor(
    parameters: { token: string; required: bigint; available: bigint },
    options: BaseErrorOptions = {},
  ) {
    super(
      `Insufficient ${parameters.token} balance: need ${parameters.required}, have ${parameters.available} (base units)`,
      options,
    );
    this.token = parameters.token;
    this.required = parameters.required.toString();
    this.available = parameters.available.toString();
  }
}

/** A mined transaction reverted (status 0). `reason` is the decoded revert reason when one exists. */
export class TransactionRevertedError extends BaseError {
  static override defaultKind: ErrorKind = "fatal";
  override name = "TransactionRevertedError";
  readonly hash: string;
  readonly reason: string | undefined;
  constructor(
    parameters: { hash: string; reason?: string; outOfGas?: boolean },
    options: BaseErrorOptions = {},
  ) {
    super(
      parameters.outOfGas
        ? `Transaction ${parameters.hash} ran out of gas`
        : `Transaction ${parameters.hash} reverted${parameters.reason ? `: ${parameters.reason}` : ""}`,
      options,
    );
    this.hash = parameters.hash;
    this.reason = parameters.reason;
  }
}

/** A transaction was never mined and its nonce was used by another transaction (replaced or dropped). */
export class TransactionDroppedError extends BaseError {
  static override defaultKind: ErrorKind = "fatal";
  override name = "TransactionDroppedError";
  readonly hash: string;
  readonly nonce: number;
  constructor(parameters: { hash: string; nonce: number }, options: BaseErrorOptions = {}) {
    super(
      `Transaction ${parameters.hash} was dropped: nonce ${parameters.nonce} was used by another transaction`,
      options,
    );
    this.hash = parameters.hash;
    this.nonce = parameters.nonce;
  }
}

/** A swap would (or did) return less than the minimum the slippage tolerance allows. */
export class SlippageExceededError extends BaseError {
  static override defaultKind: ErrorKind = "refused";
  override name = "SlippageExceededError";
}

/**
 * The pool pays much less than its own recent average (lib/chain/averages/measurePriceGap): pushed
 * for a moment, by a sandwich or a flash loan, or after a real crash the average has not caught up
 * with yet. Nothing was sent.
 */
export class PriceGapError extends BaseError {
  static override defaultKind: ErrorKind = "refused";
  override name = "PriceGapError";
}

/** No pool route exists between two tokens, or the pool has no liquidity. */
export class NoRouteError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "NoRouteError";
}

/** A step id was reused for a different operation (different token, recipient or amount). */
export class StepConflictError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "StepConflictError";
}

/**
 * The node's gas estimate (eth_estimateGas against the pending block) reverted, so the transaction
 * was never signed or sent; nothing was spent.
 */
export class TransactionWouldRevertError extends BaseError {
  static override defaultKind: ErrorKind = "fatal";
  override name = "TransactionWouldRevertError";
  readonly reason: string | undefined;
  constructor(parameters: { action: string; reason?: string }, options: BaseErrorOptions = {}) {
    super(
      `${parameters.action} would revert${parameters.reason ? `: ${parameters.reason}` : ""}; nothing was sent`,
      options,
    );
    this.reason = parameters.reason;
  }
}

/** A submitted transaction is not mined yet (receipt wait timed out); retrying the step re-checks the same hash. */
export class TransactionPendingError extends BaseError {
  static override defaultKind: ErrorKind = "transient";
  override name = "TransactionPendingError";
  readonly hash: string;
  constructor(hash: string, options: BaseErrorOptions = {}) {
    super(`Transaction ${hash} is not mined yet`, options);
    this.hash = hash;
  }
}

/** Best-effort revert reason from a viem error chain (Error(string), custom error name, or short message). */
export function revertReasonOf(error: unknown): string | undefined {
  let current: unknown = error;
  let fallback: string | undefined;
  for (let depth = 0; current && depth < 10; depth++) {
    const candidate = current as {
      reason?: unknown;
      data?: { errorName?: unknown };
      shortMessage?: unknown;
      cause?: unknown;
    };
    // Decoded from raw revert bytes: may hold NULs and other control characters.
    if (typeof candidate.reason === "string" && printableText(candidate.reason))
      return printableText(candidate.reason);
    if (candidate.data && typeof candidate.data.errorName === "string")
      return candidate.data.errorName;
    if (!fallback && typeof candidate.shortMessage === "string")
      fallback = printableText(candidate.shortMessage);
    current = candidate.cause;
  }
  return fallback;
}
