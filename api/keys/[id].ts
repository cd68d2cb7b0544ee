import { z } from "zod";
import { revokeApiKey } from "../../lib/auth/apiKeys.js";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { guard } from "../../lib/http/guard.js";
import { json, route, validate } from "../../lib/http/index.js";

export const paramsSchema = z.object({
  id: z.string().regex(/^key_[A-Za-z0-9_]{1,64}$/, "must be an API key id (key_…)"),
});

/** Revokes an API key (idempotent). Admin only; an admin cannot revoke the key it is using. */
export const DELETE = route("/api/keys/[id]", async (request, { params }) => {
  const principal = await guard(request, { auth: "admin", rateLimit: "command" });
  const { id } = validate(paramsSchema, params, "path");
  if (id === principal.keyId) {
    throw new ClientError("conflict", "Refusing to revoke the key making this request", {
      metaMessages: ["Use another admin key to revoke this one."],
    });
  }
  const found = await revokeApiKey(await getDb(), id);
  if (!found) throw new ClientError("not_found", `API key ${id} not found`);
  return json({ id, revoked: true });
});
