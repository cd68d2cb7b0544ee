import { createHash } from "node:crypto";

/** SHA-256 of an API key; only the hash is stored. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}
