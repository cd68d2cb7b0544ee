import { isValidIconUrl, isValidServiceName, sanitizeTags } from "@x402/extensions/bazaar";
import { z } from "zod";
import { storableText } from "../../db/storableText.js";
import { BaseError, type ErrorKind } from "../../errors/index.js";
import { normaliseNetwork } from "../../x402/requirements.js";

/** A Bazaar entry that passed validation: only the fields Paygent keeps, cleaned. */
export interface BazaarEntry {
  type: "http" | "mcp";
  /** http(s) URL of the resource; for MCP the server's endpoint (no fragment). */
  endpoint: string;
  /** For MCP: the paid tool. */
  toolName: string | null;
  description: string;
  serviceName: string | null;
  tags: string[];
  iconUrl: string | null;
  /** Every "exact" EVM option, normalised (CAIP-2 network, base-unit amount). */
  accepts: { network: string; amount: string; asset: string; payTo: string }[];
}

const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (
      (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password
    );
  }, "must be an http(s) URL without credentials");

const evmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an EVM address");

const acceptSchema = z.looseObject({
  scheme: z.string().max(32),
  network: z.string().max(64),
  // v2 says amount; v1 said maxAmountRequired.
  amount: z
    .string()
    .regex(/^\d{1,78}$/, "must be base units")
    .optional(),
  maxAmountRequired: z
    .string()
    .regex(/^\d{1,78}$/, "must be base units")
    .optional(),
  asset: evmAddress,
  payTo: evmAddress,
});

const entrySchema = z.looseObject({
  resource: httpUrl,
  type: z.enum(["http", "mcp"]),
  x402Version: z.union([z.literal(1), z.literal(2)]),
  accepts: z.array(acceptSchema).min(1).max(20),
  description: z.string().max(2000).optional(),
  serviceName: z.string().optional(),
  tags: z.unknown().optional(),
  iconUrl: z.string().optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
});

const toolNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, "must be a tool name");

/** Why an entry was refused. */
export class BazaarEntryError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "BazaarEntryError";
}

/**
 * Validates one untrusted catalogue entry (zod), keeps the fields Paygent uses, and cleans the
 * free text: service name, tags and icon follow the bazaar rules (isValidServiceName, sanitizeTags,
 * isValidIconUrl: invalid ones are dropped), the description loses control characters. Throws
 * BazaarEntryError naming the first problem. Network checks (SSRF) are the importer's.
 */
export function validateBazaarEntry(raw: unknown): BazaarEntry {
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BazaarEntryError(
      `${issue?.path.join(".") || "entry"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const entry = parsed.data;
  const url = new URL(entry.resource);
  let toolName: string | null = null;
  if (entry.type === "mcp") {
    const info = (entry.extensions?.bazaar as { info?: { input?: { toolName?: unknown } } })?.info;
    const named = toolNameSchema.safeParse(info?.input?.toolName);
    if (!named.success) throw new BazaarEntryError("mcp entry without a valid toolName");
    toolName = named.data;
    url.hash = "";
  }
  const accepts = entry.accepts.flatMap((accept) => {
    const amount = accept.amount ?? accept.maxAmountRequired;
    const { network, chainId } = normaliseNetwork(accept.network);
    if (accept.scheme !== "exact" || amount === undefined || chainId === null) return [];
    return [{ network, amount, asset: accept.asset, payTo: accept.payTo }];
  });
  if (accepts.length === 0) throw new BazaarEntryError("no exact EVM payment option");
  return {
    type: entry.type,
    endpoint: url.toString(),
    toolName,
    // Half a surrogate pair (sent, or left by the cut) would fail the tools' jsonb write.
    description: storableText(cleanText(entry.description ?? "").slice(0, 2000)),
    serviceName: isValidServiceName(entry.serviceName) ? entry.serviceName : null,
    tags: sanitizeTags(entry.tags) ?? [],
    iconUrl: isValidIconUrl(entry.iconUrl) ? entry.iconUrl : null,
    accepts,
  };
}

/** Drops control characters (and the bidi overrides that disguise text) from untrusted prose. */
function cleanText(text: string): string {
  return Array.from(text, (char) => (isHiddenCharacter(char.codePointAt(0)!) ? " " : char))
    .join("")
    .trim();
}

function isHiddenCharacter(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}
