import { revokeApiKey } from "../../lib/auth/apiKeys.js";
import { apiKeyId } from "../../lib/auth/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { endpoint } from "../../lib/http/index.js";

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
    success: { status: 200, description: "Revoked" },
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
    return { id, revoked: true };
  },
);
