import type { decodePaymentResponseHeader } from "@x402/core/http";
import type { PaymentRequired as CorePaymentRequired } from "@x402/core/types";
import {
  extractOffersFromPaymentRequired,
  OFFER_RECEIPT,
  type SignedReceipt,
} from "@x402/extensions/offer-receipt";
import type { Account, Hex, PublicClient } from "viem";
import { storableJson } from "../db/storableJson.js";
import { ClientError } from "../errors/index.js";
import { createPinnedFetch, RedirectRefusedError } from "../security/fetchPinned.js";
import { boundedValidBefore } from "./boundedValidBefore.js";
import { type Authorization, createPaymentHeader } from "./createPaymentHeader.js";
import { decodeJsonHeader } from "./decodeJsonHeader.js";
import { PaymentRejectedError, ResourceRequestError } from "./errors.js";
import { decodeSettlement, readBody, readContent, rejectionReason } from "./readResourceAnswer.js";
import { readTokenDomain } from "./readTokenDomain.js";
import type { PaymentEvidence } from "./recordPaymentEvidence.js";
import {
  type PaymentRequired,
  type PaymentRequirement,
  parsePaymentRequired,
} from "./requirements.js";

/** Bodies above this many bytes are cut (and flagged) before they reach a run's result. */
export const MAX_RESOURCE_BODY_BYTES = 64 * 1024;

/** Nonce and validity window of the authorization to sign. */
export interface AuthorizationTerms {
  nonce: Hex;
  validAfter: bigint;
  validBefore: bigint;
}

/** Inputs of payForResource. */
export interface PayForResourceParameters {
  url: string;
  /** The agent wallet; must sign locally (a viem local account). */
  account: Account;
  /** Reads the token's EIP-712 domain when the server leaves it out. */
  publicClient: PublicClient;
  /**
   * Chooses the requirement to pay (see selectRequirement). Throwing here refuses the payment
   * before anything is signed.
   */
  select: (required: PaymentRequired) => PaymentRequirement | Promise<PaymentRequirement>;
  /**
   * Fixes nonce and window for the chosen requirement; executePayment persists them here so a
   * retry signs the same message. Default: a random nonce, valid from now for maxTimeoutSeconds
   * bounded by X402_AUTHORIZATION_TTL_SECONDS.
   */
  authorize?: (requirement: PaymentRequirement) => Promise<AuthorizationTerms>;
  /**
   * Called once the authorization is signed, right before it is sent: from here on the signature
   * is exposure (the server may keep it and settle whenever it likes, until validBefore).
   */
  onSigned?: (authorization: Authorization) => Promise<void>;
  /** Method, headers and body of the request (GET without body by default). */
  init?: { method?: string; headers?: Record<string, string>; body?: string };
  /**
   * Defaults to fetchPinned (DNS resolved once per host and checked, connection pinned to that
   * address). Redirects are never followed by the fetch itself: see payForResource.
   */
  fetch?: typeof fetch;
  maxBodyBytes?: number;
  /** Per HTTP request; settlement waits for a chain receipt, so keep it generous. */
  timeoutMs?: number;
}

/** Where a payment landed on chain, as the server's PAYMENT-RESPONSE reports it. */
export interface Settlement {
  /** Null while pending, or when the header names no well-formed transaction hash. */
  transaction: Hex | null;
  /**
   * The facilitator accepted the payment and settles later (success with `extra.status:
   * "pending"` and no transaction): the authorization stays exposure until the chain shows it.
   */
  pending: boolean;
  payer: string | null;
  network: string;
}

/** The resource's answer after (or without) payment. */
export interface PaidResource {
  status: number;
  /** Text body, cut at maxBodyBytes (see `truncated`). */
  body: string;
  truncated: boolean;
  contentType: string | null;
  /** False when the resource answered without asking for payment. */
  paid: boolean;
  /** Null when unpaid, or when a paid server sent no settlement header (check the chain). */
  settlement: Settlement | null;
  /** The URL that was priced and paid (the request URL after same-origin redirects). */
  url: string;
  requirement: PaymentRequirement | null;
  authorization: Authorization | null;
  /** Signed offer/receipt (offer-receipt extension) when the server sent them. */
  evidence?: PaymentEvidence | undefined;
}

/** Same-origin redirects an unpaid request may follow before it is priced. */
const MAX_REDIRECTS = 3;

/**
 * x402 client: request → 402 → parse → select → sign one EIP-3009 authorization → retry with
 * it → content and settlement. Signs at most once per call: a second 402 after paying is a
 * PaymentRejectedError, never a new signature for different terms.
 *
 * Redirects: the unpaid request follows at most three same-origin redirects (re-checked hop by
 * hop); one to another origin is refused before anything is signed. The paid request goes to the
 * URL that answered 402 and follows nothing: a redirect answer to it is a failed payee.
 */
export async function payForResource(parameters: PayForResourceParameters): Promise<PaidResource> {
  const { account, publicClient, select } = parameters;
  const doFetch = parameters.fetch ?? createPinnedFetch({ redirect: "manual" });
  const maxBodyBytes = parameters.maxBodyBytes ?? MAX_RESOURCE_BODY_BYTES;
  const timeoutMs = parameters.timeoutMs ?? 60_000;
  const send = (url: string, extraHeaders: Record<string, string>) =>
    request(doFetch, url, parameters.init, extraHeaders, timeoutMs);

  let url = parameters.url;
  let first = await send(url, {});
  for (let hop = 0; isRedirect(first.status); hop++) {
    const location = first.headers.get("location");
    await first.body?.cancel().catch(() => {});
    url = sameOriginTarget(url, location, hop);
    first = await send(url, {});
  }
  if (first.status !== 402) {
    if (!first.ok) {
      await first.body?.cancel();
      throw new ResourceRequestError(
        `Resource answered ${first.status} before payment`,
        first.status,
      );
    }
    return {
      ...(await storableContent(first, maxBodyBytes)),
      paid: false,
      settlement: null,
      url,
      requirement: null,
      authorization: null,
    };
  }

  const required = parsePaymentRequired({
    headers: first.headers,
    body: (await readBody(first, maxBodyBytes)).text,
    url,
  });
  const offers = offersOf(first.headers);
  const requirement = await select(required);
  const terms = await (parameters.authorize ?? defaultTerms)(requirement);
  const domain = await readTokenDomain(publicClient, requirement);
  const header = await createPaymentHeader({ account, requirement, domain, ...terms });

  await parameters.onSigned?.(header.authorization);
  const paid = await send(url, { [header.name]: header.value });
  const settlementHeader =
    paid.headers.get("payment-response") ?? paid.headers.get("x-payment-response");
  const settlement = settlementHeader ? decodeSettlement(settlementHeader) : undefined;

  if (paid.status === 402) {
    const text = (await readBody(paid, maxBodyBytes)).text;
    throw new PaymentRejectedError(rejectionReason(paid.headers, text, url, settlement));
  }
  if (settlement && !settlement.success) {
    await paid.body?.cancel();
    throw new PaymentRejectedError(settlement.errorReason ?? "settlement failed");
  }
  if (!paid.ok) {
    await paid.body?.cancel();
    // Servers settle only after a successful handler, so an error here normally cost nothing;
    // executePayment still asks the chain (and cancels the authorization) before concluding that.
    const what = isRedirect(paid.status) ? "a redirect (not followed)" : String(paid.status);
    throw new ResourceRequestError(`Resource answered ${what} after payment`, paid.status);
  }
  return {
    ...(await storableContent(paid, maxBodyBytes)),
    paid: true,
    settlement: settlement ? toSettlement(settlement) : null,
    url,
    requirement,
    authorization: header.authorization,
    evidence: { offers, receipt: receiptOf(settlement) },
  };
}

/**
 * The answer's content with each NUL (and unpaired surrogate) as U+FFFD: it is stored with the
 * payment and in the run's result, where Postgres refuses them, and a payee's one NUL made a
 * settled payment's step fail.
 */
async function storableContent(
  response: Response,
  maxBodyBytes: number,
): Promise<Awaited<ReturnType<typeof readContent>>> {
  return storableJson(await readContent(response, maxBodyBytes));
}

/**
 * Signed offers in a v2 PAYMENT-REQUIRED header (offer-receipt extension); none otherwise. The
 * header is decoded with decodeJsonHeader's limits, as parsePaymentRequired decoded it.
 */
function offersOf(headers: Headers): PaymentEvidence["offers"] {
  const header = headers.get("payment-required");
  if (!header) return [];
  try {
    return extractOffersFromPaymentRequired(
      decodeJsonHeader(header, "PAYMENT-REQUIRED") as CorePaymentRequired,
    );
  } catch {
    return [];
  }
}

/**
 * The signed receipt in the decoded PAYMENT-RESPONSE (read where extractReceiptFromResponse reads
 * it, without decoding the header again), if any; a malformed one is no evidence, not a failure.
 */
function receiptOf(
  settlement: ReturnType<typeof decodePaymentResponseHeader> | undefined,
): PaymentEvidence["receipt"] {
  const extension = settlement?.extensions?.[OFFER_RECEIPT] as
    | { info?: { receipt?: SignedReceipt } }
    | undefined;
  return extension?.info?.receipt ?? null;
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

/** The next URL of an unpaid request's redirect, refused unless it stays on the same origin. */
function sameOriginTarget(current: string, location: string | null, hop: number): string {
  const from = new URL(current);
  if (!location) throw new RedirectRefusedError(from, location, "the redirect has no Location");
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new RedirectRefusedError(from, location, "the Location header is not a URL");
  }
  if (next.origin !== from.origin) {
    throw new RedirectRefusedError(from, location, `it points at another origin (${next.origin})`);
  }
  if (hop + 1 > MAX_REDIRECTS) throw new RedirectRefusedError(from, location, "too many redirects");
  return next.toString();
}

function toSettlement(header: ReturnType<typeof decodePaymentResponseHeader>): Settlement {
  const transaction =
    header.transaction && /^0x[0-9a-fA-F]{64}$/.test(header.transaction)
      ? (header.transaction as Hex)
      : null;
  const extra = (header as { extra?: { status?: unknown } }).extra;
  return {
    transaction,
    pending: transaction === null && extra?.status === "pending",
    payer: header.payer ?? null,
    network: header.network,
  };
}

async function defaultTerms(requirement: PaymentRequirement): Promise<AuthorizationTerms> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const nonce = `0x${Buffer.from(bytes).toString("hex")}` as Hex;
  return {
    nonce,
    validAfter: 0n,
    validBefore: boundedValidBefore({ maxTimeoutSeconds: requirement.maxTimeoutSeconds }),
  };
}

async function request(
  doFetch: typeof fetch,
  url: string,
  init: PayForResourceParameters["init"],
  extraHeaders: Record<string, string>,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await doFetch(url, {
      method: init?.method ?? "GET",
      headers: { accept: "application/json, */*;q=0.8", ...init?.headers, ...extraHeaders },
      ...(init?.body === undefined ? {} : { body: init.body }),
      // Redirects are payForResource's decision (same origin, unpaid only), never the fetch's.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    // A URL policy refusal (private address, redirect) is the caller's error, not a network one.
    if (cause instanceof ClientError) throw cause;
    throw new ResourceRequestError(`Request to ${new URL(url).origin} failed`, undefined, {
      cause,
    });
  }
}
