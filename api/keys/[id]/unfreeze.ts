import { apiKeyId, unfreezeRequest } from "../../../lib/auth/schemas.js";
import { getDb } from "../../../lib/db/index.js";
import { unfreezeKey } from "../../../lib/freeze/index.js";
import { freezeStateResponse } from "../../../lib/freeze/responses.js";
import { endpoint } from "../../../lib/http/index.js";

/** POST /api/keys/{id}/unfreeze — its commands may move money again (admin; idempotent). */
export const POST = endpoint(
  {
    route: "/api/keys/[id]/unfreeze",
    method: "POST",
    operationId: "unfreezeApiKey",
    summary: "Unfreeze an API key: its commands may move money again (admin)",
    tags: ["keys"],
    auth: "admin",
    rateLimit: "command",
    params: { id: apiKeyId },
    body: { name: "UnfreezeRequest", schema: unfreezeRequest },
    success: { status: 200, description: "The key's freeze state", schema: freezeStateResponse },
    responses: { 404: "Unknown key" },
  },
  async ({ principal, params: { id } }) =>
    await unfreezeKey(await getDb(), id, { by: principal.keyId }),
);
