import { createKey } from "../../lib/auth/createKey.js";
import { listKeys } from "../../lib/auth/listKeys.js";
import { apiKeyList, createdApiKeyResponse } from "../../lib/auth/responses.js";
import { reportedScope } from "../../lib/auth/roles.js";
import { createApiKeyRequest, listApiKeysQuery } from "../../lib/auth/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";

/** GET /api/keys — keys with their name, role and policy, never their hashes. Admin only. */
export const GET = endpoint(
  {
    route: "/api/keys",
    method: "GET",
    operationId: "listApiKeys",
    summary: "API keys with their name, role and policy, never their hashes (admin)",
    tags: ["keys"],
    auth: "admin",
    rateLimit: "command",
    query: listApiKeysQuery,
    success: { status: 200, description: "The keys", schema: apiKeyList },
  },
  async ({ query }) => ({
    keys: (await listKeys(await getDb(), { includeRevoked: query.includeRevoked === "true" })).map(
      (key) => ({ ...key, scope: reportedScope(key.role) }),
    ),
  }),
);

/**
 * POST /api/keys {name, role, policyId?} → {id, key, name, role, scope, policyId} — a new key; the
 * plaintext key is in this response only.
 */
export const POST = endpoint(
  {
    route: "/api/keys",
    method: "POST",
    operationId: "createApiKey",
    summary: "Create an API key with a role; the plaintext key is in this response only (admin)",
    tags: ["keys"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "CreateApiKeyRequest", schema: createApiKeyRequest },
    success: {
      status: 201,
      description: "The key, with its plaintext secret",
      schema: createdApiKeyResponse,
      headers: { "cache-control": "no-store" },
    },
    responses: { 404: "Unknown policy", 422: "A policy on an approver key" },
  },
  async ({ body }) => {
    // A scope contradicting role was refused by the schema (400), so here they agree.
    // role wins; the deprecated scope maps sessions → agent; neither → agent.
    const role = body.role ?? (body.scope === "admin" ? "admin" : "agent");
    const created = await createKey(await getDb(), {
      name: body.name,
      role,
      policyId: body.policyId,
    });
    return { ...created, scope: reportedScope(created.role) };
  },
);
