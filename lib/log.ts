import { getConfig } from "./config.js";

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
 * (signatures), bearer credentials, our API keys (pgk_…), other pk_/sk_ style keys, and the
 * password part of connection strings (postgres://user:pw@host, redis://:pw@host).
 */
const secretText: [RegExp, string][] = [
  [/0x[0-9a-fA-F]{64}(?:[0-9a-fA-F]{66})?\b/g, "[redacted]"],
  [/\b(?:v1=)?[0-9a-fA-F]{64}\b/g, "[redacted]"],
  [/Bearer\s+[\w.~+/-]+=*/gi, "[redacted]"],
  [/\bpgk_[A-Za-z0-9_-]{16,}/g, "[redacted]"],
  [/\b[ps]k_[A-Za-z0-9_]{16,}/g, "[redacted]"],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, "$1[redacted]@"],
];
/** Keys holding transaction or block hashes: public data, too useful in logs to hide. */
const publicHashKey = /(^|_|[a-z])(tx_?hash|hash|transaction|block_?hash)$/i;
/** Asset fields named "token" that hold a symbol or an address rather than a credential. */
const publicTokenValue = /^(?:[A-Za-z][A-Za-z0-9.]{0,10}|0x[0-9a-fA-F]{40})$/;

/** Replaces secrets in any value with "[redacted]" so it is safe to log. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[…]";
  if (typeof value === "string") {
    let text = value;
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
