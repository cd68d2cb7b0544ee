import { unfreezeRequest } from "../../lib/auth/schemas.js";
import { getDb } from "../../lib/db/index.js";
import { unfreezeWallet } from "../../lib/freeze/index.js";
import { freezeStateResponse } from "../../lib/freeze/responses.js";
import { endpoint } from "../../lib/http/index.js";

/** POST /api/wallet/unfreeze — for every key: its commands may move money again (admin; idempotent). */
export const POST = endpoint(
  {
    route: "/api/wallet/unfreeze",
    method: "POST",
    operationId: "unfreezeWallet",
    summary: "Unfreeze the agent wallet for every key (admin)",
    tags: ["wallet"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "UnfreezeRequest", schema: unfreezeRequest },
    success: { status: 200, description: "The wallet's freeze state", schema: freezeStateResponse },
  },
  async ({ principal }) => await unfreezeWallet(await getDb(), { by: principal.keyId }),
);
