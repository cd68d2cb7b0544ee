import { z } from "zod";

/** An API key's id (not the key). */
export const apiKeyId = z
  .string()
  .regex(/^key_[A-Za-z0-9_]{1,64}$/, "must be an API key id (key_…)");

/** Body of POST /api/keys. */
export const createApiKeyRequest = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\p{L}\p{N} ._@:-]+$/u, "letters, digits, spaces and . _ @ : - only")
    .describe("A label for the key, e.g. the team or service using it"),
  scope: z.enum(["admin", "sessions"]).default("sessions").describe("admin reaches everything"),
});

/** Query of GET /api/keys. */
export const listApiKeysQuery = z.object({
  includeRevoked: z.enum(["true", "false"]).default("true").describe("Include revoked keys"),
});
