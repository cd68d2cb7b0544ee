import { createHash } from "node:crypto";
import { type Cache, getCache } from "../cache/index.js";

/** Discovery answers live this long; every registry write makes them unreachable sooner. */
export const DISCOVERY_TTL_SECONDS = 300;
/** Live prices probed from a 402 answer live this long. */
export const PRICING_TTL_SECONDS = 60;

const VERSION_KEY = "registry:version";

/** The cache passed in, or the process-wide one. */
export async function resolveCache(cache: Cache | undefined): Promise<Cache> {
  return cache ?? (await getCache());
}

/** Short stable digest used inside cache keys. */
export function digest(value: string): string {
  return createHash("sha256").update(value).digest("base64url").slice(0, 22);
}

/**
 * The current registry version. Discovery keys embed it, so bumping it invalidates every cached
 * answer at once without scanning keys (which Upstash and the memory cache cannot do cheaply).
 */
export async function getRegistryVersion(cache: Cache): Promise<string> {
  return (await cache.get(VERSION_KEY)) ?? "0";
}

/** Invalidates every cached discovery answer; called after each registry write. */
export async function bumpRegistryVersion(cache: Cache): Promise<void> {
  await cache.increment(VERSION_KEY);
}
