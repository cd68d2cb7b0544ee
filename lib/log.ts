import { getConfig } from "./config.js";

type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Keys whose values never reach a log line. */
const secretKey = /(authorization|signature|secret|token|private|password|api[-_]?key|cookie|payment-signature|x-payment)/i;
/** Hex strings of private-key or signature length, and bearer credentials, inside free text. */
const secretText = [/0x[0-9a-fA-F]{64}(?:[0-9a-fA-F]{66})?\b/g, /Bearer\s+[\w.~+/-]+=*/gi, /pk_[A-Za-z0-9]{16,}/g];

/** Replaces secrets in any value with "[redacted]" so it is safe to log. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[…]";
  if (typeof value === "string") {
    let text = value;
    for (const pattern of secretText) text = text.replace(pattern, "[redacted]");
    return text;
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redact(value.message, depth + 1),
      ...(value.cause ? { cause: redact(value.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = secretKey.test(key) ? "[redacted]" : redact(child, depth + 1);
    }
    return out;
  }
  return value;
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  const configured = safeLevel();
  if (order[level] < order[configured]) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...(redact(fields ?? {}) as object) });
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
