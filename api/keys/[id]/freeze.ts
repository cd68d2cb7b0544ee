import { apiKeyId, freezeRequest } from "../../../lib/auth/schemas.js";
import { getDb } from "../../../lib/db/index.js";
import { freezeKey } from "../../../lib/freeze/index.js";
import { freezeStateResponse } from "../../../lib/freeze/responses.js";
import { endpoint } from "../../../lib/http/index.js";

/** POST /api/keys/{id}/freeze — no money moves on its behalf and new commands answer 423 until unfrozen (admin; idempotent). */
export const POST = endpoint(
  {
    route: "/api/keys/[id]/freeze",
    method: "POST",
    operationId: "freezeApiKey",
    summary:
      "Freeze an API key: no money moves on its behalf and new commands answer 423 until unfrozen (admin)",
    tags: ["keys"],
    auth: "admin",
    rateLimit: "command",
    params: { id: apiKeyId },
    body: { name: "FreezeRequest", schema: freezeRequest },
    success: { status: 200, description: "The key's freeze state", schema: freezeStateResponse },
    responses: { 404: "Unknown key" },
  },
  async ({ principal, params: { id }, body }) =>
    await freezeKey(await getDb(), id, { reason: body.reason, by: principal.keyId }),
);
