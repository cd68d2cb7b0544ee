import { z } from "zod";
import { createApiKey, listApiKeys } from "../../lib/auth/apiKeys.js";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, parseJsonBody, parseQuery, route } from "../../lib/http/index.js";

export const createSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\p{L}\p{N} ._@:-]+$/u, "letters, digits, spaces and . _ @ : - only")
    .describe("A label for the key, e.g. the team or service using it"),
  scope: z.enum(["admin", "sessions"]).default("sessions").describe("admin reaches everything"),
});

export const listSchema = z.object({
  includeRevoked: z.enum(["true", "false"]).default("true").describe("Include revoked keys"),
});

/** Lists API keys (never their hashes). Admin only. */
export const GET = route("/api/keys", async (request) => {
  await guard(request, { auth: "admin", rateLimit: "command" });
  const query = parseQuery(request, listSchema);
  const keys = await listApiKeys(await getDb(), {
    includeRevoked: query.includeRevoked === "true",
  });
  return json({ keys });
});

/** Creates an API key; the plaintext key is in this response only. Admin only. */
export const POST = route("/api/keys", async (request) => {
  await guard(request, { auth: "admin", rateLimit: "command" });
  const body = await parseJsonBody(request, createSchema);
  const created = await createApiKey(await getDb(), body);
  return json(created, { status: 201, headers: { "cache-control": "no-store" } });
});
