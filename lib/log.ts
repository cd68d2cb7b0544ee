import { type Config, getConfig } from "./config.js";
import { configuredSecrets } from "./security/configuredSecrets.js";
import { maskUrlCredentials } from "./security/maskUrlCredentials.js";

type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 99,
};

/** Keys whose values never reach a log line. */
const secretKey =
  /(authorization|signature|secret|token|private|password|passphrase|mnemonic|seed|api[-_]?key|cookie|credential|payment-signature|x-payment)/i;
/**
 * Secrets inside free text: 32-byte hex with or without 0x (private keys, HMACs), 65-byte hex
 * (signatures), bearer credentials, our API keys (pgk_…) and other pk_/sk_ style keys. URLs are
 * masked before these run (maskUrlCredentials), and this deployment's own secrets before that.
 */
const secretText: [RegExp, string][] = [
  [/0x[0-9a-fA-F]{64}(?:[0-9a-fA-F]{66})?\b/g, "[redacted]"],
  [/\b(?:v1=)?[0-9a-fA-F]{64}\b/g, "[redacted]"],
  [/Bearer\s+[\w.~+/-]+=*/gi, "[redacted]"],
  [/\bpgk_[A-Za-z0-9_-]{16,}/g, "[redacted]"],
  [/\b[ps]k_[A-Za-z0-9_]{16,}/g, "[redacted]"],
];
/** Keys holding transaction or block hashes: public data, too useful in logs to hide. */
const publicHashKey = /(^|_|[a-z])(tx_?hash|hash|transaction|block_?hash)$/i;
/** Asset fields named "token" that hold a symbol or an address rather than a credential. */
const publicTokenValue = /^(?:[A-Za-z][A-Za-z0-9.]{0,10}|0x[0-9a-fA-F]{40})$/;

/** Replaces secrets in any value with "[redacted]" so it is safe to log. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[…]";
  if (typeof value === "string") {
    // Exact secrets first: a key that no pattern recognises (all letters, no URL around it).
    let text = value;
    for (const secret of currentSecrets()) text = text.replaceAll(secret, "[redacted]");
    text = maskUrlCredentials(text);
    for (const [pattern, replacement] of secretText) text = text.replace(pattern, replacement);
    return text;
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    const details = (value as { details?: unknown }).details;
    return {
      name: value.name,
      message: redact(value.message, depth + 1),
      ...(typeof details === "string" ? { details: redact(details, depth + 1) } : {}),
      ...(value.cause ? { cause: redact(value.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = redactField(key, child, depth);
    return out;
  }
  return value;
}

let secretsOf: { config: Config; secrets: string[] } | undefined;

/** This deployment's configured credentials (lib/security/configuredSecrets.ts), once per config. */
function currentSecrets(): string[] {
  let config: Config;
  try {
    config = getConfig();
  } catch {
    // A config that does not parse still holds the secrets someone may log; read them raw.
    return configuredSecrets(process.env);
  }
  if (secretsOf?.config !== config) secretsOf = { config, secrets: configuredSecrets(config) };
  return secretsOf.secrets;
}

function redactField(key: string, value: unknown, depth: number): unknown {
  if (typeof value === "string") {
    if (publicHashKey.test(key) && /^0x[0-9a-fA-F]{64}$/.test(value)) return value;
    // "token" also names assets (budget_token: "USDC"); only credential-like values are hidden.
    if (
      /token/i.test(key) &&
      !/(secret|private|password|auth|api|access|refresh|bearer)/i.test(key)
    ) {
      if (publicTokenValue.test(value)) return value;
    }
  }
  return secretKey.test(key) ? "[redacted]" : redact(value, depth + 1);
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  const configured = safeLevel();
  if (order[level] < order[configured]) return;
  const line = JSON.stringify({
    level,
    time: new Date().toISOString(),
    message,
    ...(redact(fields ?? {}) as object),
  });
  if (level === "error" || level === "warn") process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

function safeLevel(): Level | "silent" {
  try {
    return getConfig().LOG_LEVEL;
  } catch {
    return "info";
  }
}

/** Structured JSON logger; every field passes through redact(). */
export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};
