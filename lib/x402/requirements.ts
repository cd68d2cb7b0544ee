import { type Address, getAddress, isAddress } from "viem";
import { z } from "zod";
import { JsonLimitError, parseBoundedJson } from "../http/parseBoundedJson.js";
import { decodeJsonHeader } from "./decodeJsonHeader.js";
import { X402ProtocolError } from "./errors.js";

/**
 * Size of a 402 body declaration parsePaymentRequired parses: the largest cap its callers read
 * one with (quoteResource's 256 KiB); payForResource and the price probe read at most 64 KiB.
 */
const MAX_DECLARATION_BYTES = 256 * 1024;

/**
 * How a server speaks x402, which decides how the payment travels back:
 * - "v2": PAYMENT-REQUIRED header in, PAYMENT-SIGNATURE {payload:{authorization,signature}, accepted} out;
 * - "v1": JSON body `accepts` in, X-PAYMENT {scheme, network, payload:{authorization,signature}} out;
 * - "cronos": v1 with Cronos network names, X-PAYMENT payload flat {from,…,signature,asset}.
 */
export type X402Dialect = "v2" | "v1" | "cronos";

/** One way to pay for a resource, normalised across protocol versions and dialects. */
export interface PaymentRequirement {
  x402Version: 1 | 2;
  dialect: X402Dialect;
  scheme: string;
  /** CAIP-2 ("eip155:338") for EVM networks; other networks keep the server's spelling. */
  network: string;
  /** EVM chain id, or null when the network is not an EVM chain we can name. */
  chainId: number | null;
  /** Price in base units of `asset` (v2 `amount`, v1 `maxAmountRequired`). */
  amount: string;
  asset: Address;
  payTo: Address;
  maxTimeoutSeconds: number;
  /** EIP-712 domain of the token; missing fields are read from the chain before signing. */
  extra: { name?: string; version?: string } & Record<string, unknown>;
  /** The URL the server says it is charging for. */
  resource: string;
  /** The requirement exactly as the server sent it: echoed back as `accepted` in v2. */
  raw: Record<string, unknown>;
}

/** A decoded 402 answer. */
export interface PaymentRequired {
  x402Version: 1 | 2;
  dialect: X402Dialect;
  /** The server's reason for the 402 ("Payment required", or why a payment was refused). */
  error: string | undefined;
  resource: string;
  accepts: PaymentRequirement[];
}

/** v1 network names (x402 v1 and Cronos' facilitator) → EVM chain ids. */
const v1Networks: Record<string, number> = {
  "cronos-testnet": 338,
  "cronos-mainnet": 25,
  cronos: 25,
  base: 8453,
  "base-sepolia": 84532,
  avalanche: 43114,
  "avalanche-fuji": 43113,
  polygon: 137,
  "polygon-amoy": 80002,
  sei: 1329,
  "sei-testnet": 1328,
};

/** Cronos' facilitator names, whose servers expect the flat X-PAYMENT payload. */
const cronosNetworks = new Set(["cronos-testnet", "cronos-mainnet"]);

const baseUnits = z.union([
  z.string().regex(/^\d{1,78}$/, "must be a non-negative integer in base units"),
  z
    .number()
    .int()
    .nonnegative()
    .max(Number.MAX_SAFE_INTEGER)
    .transform((value) => String(value)),
]);

const extraSchema = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((value) => value ?? {})
  .pipe(
    z.looseObject({
      name: z.string().min(1).optional(),
      version: z.string().min(1).optional(),
    }),
  );

const commonFields = {
  scheme: z.string().min(1),
  network: z.string().min(1),
  asset: z.string().min(1),
  payTo: z.string().min(1),
  maxTimeoutSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600),
  extra: extraSchema,
};

const v2RequirementSchema = z.looseObject({ ...commonFields, amount: baseUnits });
const v2Schema = z.looseObject({
  x402Version: z.literal(2),
  error: z.string().optional(),
  resource: z.looseObject({ url: z.string().min(1) }),
  accepts: z.array(z.record(z.string(), z.unknown())).min(1, "accepts is empty"),
});

const v1RequirementSchema = z.looseObject({
  ...commonFields,
  maxAmountRequired: baseUnits,
  resource: z.string().optional(),
  // Cronos' examples sometimes omit the timeout; x402 v1 servers always send it.
  maxTimeoutSeconds: commonFields.maxTimeoutSeconds.optional().default(300),
});
const v1Schema = z.looseObject({
  x402Version: z.literal(1),
  error: z.string().optional(),
  accepts: z.array(z.record(z.string(), z.unknown())).min(1, "accepts is empty"),
});

/** Input of parsePaymentRequired: the parts of a 402 response it reads. */
export interface PaymentRequiredSource {
  headers: Headers;
  /** The response body as text (v1 carries the requirements there). */
  body: string;
  /** The URL that answered 402: the fallback `resource` for v1 entries without one. */
  url: string;
}

/**
 * Reads a 402 answer in any supported dialect into one normalised shape. Entries for networks
 * we cannot name keep chainId null (selection rejects them later) so one exotic option does not
 * hide the others; an entry that is broken on an EVM network is a protocol error.
 */
export function parsePaymentRequired(source: PaymentRequiredSource): PaymentRequired {
  const header = source.headers.get("payment-required");
  if (header) return parseV2(header);
  let body: unknown;
  try {
    body =
      source.body.trim() === ""
        ? undefined
        : parseBoundedJson(source.body, { maxBytes: MAX_DECLARATION_BYTES });
  } catch (cause) {
    if (cause instanceof JsonLimitError) {
      throw new X402ProtocolError(`402 body: ${cause.shortMessage}`, { cause });
    }
    throw new X402ProtocolError("402 body is not JSON and there is no PAYMENT-REQUIRED header", {
      cause,
    });
  }
  if (body && typeof body === "object" && "x402Version" in body) {
    if (body.x402Version === 1) return parseV1(body, source.url);
    if (body.x402Version === 2) {
      // Some v2 servers also mirror the declaration in the body; accept it.
      return parseV2Object(body);
    }
    throw new X402ProtocolError(`unsupported x402Version ${String(body.x402Version)}`);
  }
  throw new X402ProtocolError("402 without a PAYMENT-REQUIRED header or a v1 `accepts` body");
}

function parseV2(header: string): PaymentRequired {
  return parseV2Object(decodeJsonHeader(header, "PAYMENT-REQUIRED"));
}

function parseV2Object(value: unknown): PaymentRequired {
  const parsed = v2Schema.safeParse(value);
  if (!parsed.success) throw protocolIssue("PAYMENT-REQUIRED", parsed.error);
  const resource = parsed.data.resource.url;
  const accepts = parsed.data.accepts.map((entry, index) => {
    const item = v2RequirementSchema.safeParse(entry);
    if (!item.success) throw protocolIssue(`accepts[${index}]`, item.error);
    const { chainId, network } = normaliseNetwork(item.data.network);
    return {
      x402Version: 2 as const,
      dialect: "v2" as const,
      scheme: item.data.scheme,
      network,
      chainId,
      amount: item.data.amount,
      asset: toAddress(item.data.asset, chainId, `accepts[${index}].asset`),
      payTo: toAddress(item.data.payTo, chainId, `accepts[${index}].payTo`),
      maxTimeoutSeconds: item.data.maxTimeoutSeconds,
      extra: item.data.extra,
      resource,
      raw: entry,
    };
  });
  return { x402Version: 2, dialect: "v2", error: parsed.data.error, resource, accepts };
}

function parseV1(value: object, url: string): PaymentRequired {
  const parsed = v1Schema.safeParse(value);
  if (!parsed.success) throw protocolIssue("402 body", parsed.error);
  let dialect: X402Dialect = "v1";
  const accepts = parsed.data.accepts.map((entry, index) => {
    const item = v1RequirementSchema.safeParse(entry);
    if (!item.success) throw protocolIssue(`accepts[${index}]`, item.error);
    const entryDialect: X402Dialect = cronosNetworks.has(item.data.network) ? "cronos" : "v1";
    if (entryDialect === "cronos") dialect = "cronos";
    const { chainId, network } = normaliseNetwork(item.data.network);
    return {
      x402Version: 1 as const,
      dialect: entryDialect,
      scheme: item.data.scheme,
      network,
      chainId,
      amount: item.data.maxAmountRequired,
      asset: toAddress(item.data.asset, chainId, `accepts[${index}].asset`),
      payTo: toAddress(item.data.payTo, chainId, `accepts[${index}].payTo`),
      maxTimeoutSeconds: item.data.maxTimeoutSeconds,
      extra: item.data.extra,
      resource: item.data.resource ?? url,
      raw: entry,
    };
  });
  return {
    x402Version: 1,
    dialect,
    error: parsed.data.error,
    resource: accepts[0]?.resource ?? url,
    accepts,
  };
}

/** "eip155:338" or a v1 name → CAIP-2 and chain id; anything else keeps its name, chainId null. */
export function normaliseNetwork(name: string): { network: string; chainId: number | null } {
  const caip = /^eip155:(\d{1,12})$/.exec(name);
  if (caip) return { network: name, chainId: Number(caip[1]) };
  const chainId = v1Networks[name];
  return chainId === undefined
    ? { network: name, chainId: null }
    : { network: `eip155:${chainId}`, chainId };
}

/** The v1 network name to send back to a v1 server for a chain id (its own spelling wins). */
export function v1NetworkName(requirement: PaymentRequirement): string {
  const original = requirement.raw.network;
  return typeof original === "string" ? original : requirement.network;
}

function toAddress(value: string, chainId: number | null, where: string): Address {
  if (isAddress(value, { strict: false })) return getAddress(value);
  if (chainId === null) return value as Address; // not an EVM entry; never selected
  throw new X402ProtocolError(
    `${where} is not an EVM address: ${JSON.stringify(value).slice(0, 60)}`,
  );
}

function protocolIssue(where: string, error: z.ZodError): X402ProtocolError {
  const first = error.issues[0];
  const path = first?.path.length ? `.${first.path.join(".")}` : "";
  return new X402ProtocolError(`${where}${path}: ${first?.message ?? "invalid"}`);
}
