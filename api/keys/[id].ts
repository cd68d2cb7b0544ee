import { revokeApiKey } from "../../lib/auth/apiKeys.js";
import { revokedApiKeyResponse, updatedApiKeyResponse } from "../../lib/auth/responses.js";
import { apiKeyId, updateApiKeyRequest } from "../../lib/auth/schemas.js";
import { updateKey } from "../../lib/auth/updateKey.js";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { endpoint } from "../../lib/http/index.js";

/** PUT /api/keys/{id} {policyId, approverFor?} — assign a policy (or an approver's agents). Admin only. */
export const PUT = endpoint(
  {
    route: "/api/keys/[id]",
    method: "PUT",
    operationId: "updateApiKey",
    summary:
      "Assign a key's policy (null → the default policy), or an approver's agent keys (admin)",
    tags: ["keys"],
    auth: "admin",
    rateLimit: "command",
    params: { id: apiKeyId },
    body: { name: "UpdateApiKeyRequest", schema: updateApiKeyRequest },
    success: {
      status: 200,
      description: "The key's policy and assignments",
      schema: updatedApiKeyResponse,
    },
    responses: {
      404: "Unknown key or policy",
      422: "A policy on an approver key, or approverFor on a key that is not an approver (nothing is changed)",
    },
  },
  // Both parts checked before either is written, in one transaction (all or nothing).
  async ({ params: { id }, body }) =>
    await updateKey(await getDb(), {
      keyId: id,
      policyId: body.policyId,
      approverFor: body.approverFor,
    }),
);

/** Revokes an API key (idempotent). Admin only; an admin cannot revoke the key it is using. */
export const DELETE = endpoint(
  {
    route: "/api/keys/[id]",
    method: "DELETE",
    operationId: "revokeApiKey",
    summary: "Revoke an API key, idempotently (admin)",
    tags: ["keys"],
    auth: "admin",
    rateLimit: "command",
    params: { id: apiKeyId },
    success: { status: 200, description: "Revoked", schema: revokedApiKeyResponse },
    responses: { 409: "Refusing to revoke the key making the request" },
  },
  async ({ principal, params: { id } }) => {
    if (id === principal.keyId) {
      throw new ClientError("conflict", "Refusing to revoke the key making this request", {
        metaMessages: ["Use another admin key to revoke this one."],
      });
    }
    const found = await revokeApiKey(await getDb(), id);
    if (!found) throw new ClientError("not_found", `API key ${id} not found`);
    return { id, revoked: true as const };
  },
);
