import { BaseError, type BaseErrorOptions, type ErrorKind } from "../errors/index.js";

/**
 * Prediction-market errors. Each sets `name` (recognised after serialization) and a kind; none
 * carries a key. Chain failures (slippage, balance, reverts) reuse the lib/chain errors.
 */

/** The network has no known Conditional Tokens deployment: markets are not available there. */
export class MarketsUnavailableError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "MarketsUnavailableError";
  readonly network: string;
  constructor(network: string, options: BaseErrorOptions = {}) {
    super(`Prediction markets are not available on ${network}`, {
      metaMessages: [
        "No Gnosis Conditional Tokens deployment is known on this network; Paygent does not guess one.",
        "Use the devnet (PAYGENT_NETWORK=devnet), or add a verified deployment to lib/chain/registry.ts.",
      ],
      ...options,
    });
    this.network = network;
  }
}

/** No market with that name, market maker address or condition id on this network. */
export class UnknownMarketError extends BaseError {
  static override defaultKind: ErrorKind = "not_found";
  override name = "UnknownMarketError";
}

/** The market has no outcome with that label or index. */
export class UnknownOutcomeError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "UnknownOutcomeError";
}

/** The oracle already reported: the market no longer trades (redeem instead). */
export class MarketResolvedError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "MarketResolvedError";
}

/** The oracle has not reported yet, so positions cannot be redeemed. */
export class MarketNotResolvedError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "MarketNotResolvedError";
}

/** The wallet holds no (or too few) outcome shares for the sale or redemption asked for. */
export class NoPositionError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "NoPositionError";
}

/** The registry entry does not match the contracts on chain (wrong address, condition or collateral). */
export class MarketMisconfiguredError extends BaseError {
  static override defaultKind: ErrorKind = "fatal";
  override name = "MarketMisconfiguredError";
}

/** Resolving a market was refused: not the devnet, or the oracle already reported other payouts. */
export class MarketResolutionError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "MarketResolutionError";
}
