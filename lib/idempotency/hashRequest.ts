import { createHash } from "node:crypto";

/**
 * Fingerprint of what a request asks for (its parsed path params, query and body), with object keys
 * sorted so that formatting and key order do not make the same request look different.
 */
export function hashRequest(parts: unknown): string {
  return createHash("sha256").update(canonicalJson(parts)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
