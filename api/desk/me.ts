import { getDb } from "../../lib/db/index.js";
import { getDeskContext } from "../../lib/desk/getDeskContext.js";
import { deskContextResponse } from "../../lib/desk/responses.js";
import { endpoint } from "../../lib/http/index.js";

/** GET /api/desk/me — the caller's key and role, the network, its explorer and its tokens. */
export const GET = endpoint(
  {
    route: "/api/desk/me",
    method: "GET",
    operationId: "getDeskContext",
    summary: "Who the caller is (key, role) and the network's tokens with their decimals",
    tags: ["desk"],
    auth: "any",
    success: {
      status: 200,
      description: "The caller's key and role, the network and its tokens",
      schema: deskContextResponse,
    },
  },
  async ({ principal }) => await getDeskContext(await getDb(), principal),
);
