import { createApiKey, listApiKeys } from "../../lib/auth/apiKeys.js";
import { createApiKeyRequest, listApiKeysQuery } from "../../lib/auth/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";

/** Lists API keys (never their hashes). Admin only. */
export const GET = endpoint(
  {
    route: "/api/keys",
    method: "GET",
    operationId: "listApiKeys",
    summary: "API keys, never their hashes (admin)",
    tags: ["keys"],
    auth: "admin",
    rateLimit: "command",
    query: listApiKeysQuery,
    success: { status: 200, description: "The keys" },
  },
  async ({ query }) => ({
    keys: await listApiKeys(await getDb(), { includeRevoked: query.includeRevoked === "true" }),
  }),
);

/** Creates an API key; the plaintext key is in this response only. Admin only. */
export const POST = endpoint(
  {
    route: "/api/keys",
    method: "POST",
    operationId: "createApiKey",
    summary: "Create an API key; the plaintext key is in this response only (admin)",
    tags: ["keys"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "CreateApiKeyRequest", schema: createApiKeyRequest },
    success: {
      status: 201,
      description: "The key, with its plaintext secret",
      headers: { "cache-control": "no-store" },
    },
  },
  async ({ body }) => await createApiKey(await getDb(), body),
);
