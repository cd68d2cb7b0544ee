import { freezeRequest } from "../../lib/auth/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { freezeWallet } from "../../lib/freeze/index.js";
import { freezeStateResponse } from "../../lib/freeze/responses.js";
import { endpoint } from "../../lib/http/index.js";

/** POST /api/wallet/freeze — for every key: no money moves on its behalf and new commands answer 423 until unfrozen (admin; idempotent). */
export const POST = endpoint(
  {
    route: "/api/wallet/freeze",
    method: "POST",
    operationId: "freezeWallet",
    summary: "Freeze the agent wallet for every key (admin)",
    tags: ["wallet"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "FreezeRequest", schema: freezeRequest },
    success: { status: 200, description: "The wallet's freeze state", schema: freezeStateResponse },
  },
  async ({ principal, body }) =>
    await freezeWallet(await getDb(), { reason: body.reason, by: principal.keyId }),
);
