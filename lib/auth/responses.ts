import { z } from "zod";
import { timestamp } from "../http/timestamp.js";
import { roles } from "./roles.js";

const role = z.enum(roles);
const scope = z
  .enum(["admin", "sessions"])
  .nullable()
  .describe(
    "Deprecated name of the role: admin, or sessions for an agent key; null for an approver key (no scope names that role)",
  );

/** A key as GET /api/keys lists it (never its secret). */
export const apiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  role,
  scope,
  policy: z.object({ id: z.string(), name: z.string(), version: z.number().int() }).nullable(),
  frozenAt: timestamp.nullable(),
  frozenReason: z
    .string()
    .nullable()
    .describe("Why the key is frozen (null: not frozen, or no reason)"),
  frozenBy: z.string().nullable().describe("The admin key that froze it"),
  agentKeyIds: z.array(z.string()),
  source: z.enum(["created", "env"]),
  createdAt: timestamp,
  revokedAt: timestamp.nullable(),
});

/** GET /api/keys. */
export const apiKeyList = z.object({ keys: z.array(apiKeyResponse) });

/** POST /api/keys: the key with its plaintext secret (shown once). */
export const createdApiKeyResponse = z.object({
  id: z.string(),
  key: z.string().describe("The plaintext key, shown once"),
  name: z.string(),
  role,
  scope,
  policyId: z.string().nullable(),
});

/** PUT /api/keys/{id}. */
export const updatedApiKeyResponse = z.object({
  id: z.string(),
  policyId: z.string().nullable().optional(),
  approverFor: z.array(z.string()).optional(),
});

/** DELETE /api/keys/{id}. */
export const revokedApiKeyResponse = z.object({ id: z.string(), revoked: z.literal(true) });
