import { BaseError, type ErrorKind } from "../errors/index.js";

/** Which limit refused a reservation. */
export type BudgetScope = "session" | "daily";

export interface BudgetExceededErrorParameters {
  scope: BudgetScope;
  sessionId: string;
  /** Token the limit is counted in (lower-cased address or symbol), or "USD" (micro-dollars). */
  unit: string;
  limit: bigint;
  /** Settled spending counted against the limit. */
  spent: bigint;
  /** Reservations in flight counted against the limit. */
  reserved: bigint;
  requested: bigint;
  /** UTC day (YYYY-MM-DD) for daily limits. */
  day?: string;
}

/**
 * A reservation would take spending past a limit. Names the limit and the numbers behind the
 * refusal so the agent can tell the user exactly why (and what is left). Refused (422 over HTTP).
 */
export class BudgetExceededError extends BaseError {
  static override defaultKind: ErrorKind = "refused";
  override name = "BudgetExceededError";
  readonly scope: BudgetScope;
  readonly unit: string;
  readonly limit: bigint;
  readonly spent: bigint;
  readonly reserved: bigint;
  readonly requested: bigint;
  readonly remaining: bigint;
  readonly day: string | undefined;

  constructor(parameters: BudgetExceededErrorParameters) {
    const { scope, unit, limit, spent, reserved, requested, day } = parameters;
    const used = spent + reserved;
    const remaining = limit > used ? limit - used : 0n;
    const label = scope === "daily" ? `Daily limit (${day} UTC)` : "Session budget";
    const units = unit === "USD" ? "micro-USD" : `base units of ${unit}`;
    super(
      `${label} exceeded for session ${parameters.sessionId}: requested ${requested} but only ${remaining} of ${limit} ${units} remain (spent ${spent}, reserved ${reserved})`,
      {
        metaMessages: [
          `limit: ${limit}`,
          `spent: ${spent}`,
          `reserved: ${reserved}`,
          `requested: ${requested}`,
          `remaining: ${remaining}`,
        ],
      },
    );
    this.scope = scope;
    this.unit = unit;
    this.limit = limit;
    this.spent = spent;
    this.reserved = reserved;
    this.requested = requested;
    this.remaining = remaining;
    this.day = day;
  }
}

/** The session behind a budget operation does not exist. */
export class BudgetSessionNotFoundError extends BaseError {
  static override defaultKind: ErrorKind = "not_found";
  override name = "BudgetSessionNotFoundError";
  constructor(sessionId: string) {
    super(`Session ${sessionId} not found`);
  }
}

/** The session is closed: nothing more may be reserved against it. */
export class BudgetSessionClosedError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "BudgetSessionClosedError";
  constructor(sessionId: string) {
    super(`Session ${sessionId} is closed; no further spending can be reserved`);
  }
}

/** A reservation cannot be priced against the session's limits (e.g. a USD limit without usdAmount). */
export class BudgetPricingError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "BudgetPricingError";
  constructor(message: string) {
    super(message);
  }
}

/** settle/release named a reservation that does not exist or is in the wrong state. */
export class BudgetReservationError extends BaseError {
  override name = "BudgetReservationError";
  constructor(kind: "not_found" | "conflict", message: string) {
    super(message, { kind });
  }
}
