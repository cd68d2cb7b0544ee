import { z } from "zod";
import { policyId } from "../policy/schemas.js";
import { roles } from "./roles.js";

/** An API key's id (not the key). */
export const apiKeyId = z
  .string()
  .regex(/^key_[A-Za-z0-9_]{1,64}$/, "must be an API key id (key_…)");

/** The role each legacy scope stands for (README: `sessions` = `agent`). */
const roleOfScope = { admin: "admin", sessions: "agent" } as const;

/**
 * Body of POST /api/keys. Strict like every other body; a scope that names another role than
 * `role` is refused rather than one of them silently winning (it made "sessions" admin keys).
 */
export const createApiKeyRequest = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[\p{L}\p{N} ._@:-]+$/u, "letters, digits, spaces and . _ @ : - only")
      .describe("A label for the key, e.g. the team or service using it"),
    role: z
      .enum(roles)
      .optional()
      .describe(
        "admin manages; agent submits commands; approver decides approvals (default agent)",
      ),
    scope: z
      .enum(["admin", "sessions"])
      .optional()
      .describe("Deprecated: the pre-role scope (sessions is the agent role); use role"),
    policyId: policyId
      .optional()
      .describe("The key's policy (default: the operator default policy)"),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.scope === undefined || body.role === undefined) return;
    const meant = roleOfScope[body.scope];
    if (meant === body.role) return;
    context.addIssue({
      code: "custom",
      path: ["scope"],
      message: `scope "${body.scope}" is the ${meant} role, but role is "${body.role}": send role alone (scope is deprecated)`,
    });
  });

/** Body of PUT /api/keys/{id}: assign a policy (null → the operator default policy). */
export const updateApiKeyRequest = z
  .object({
    policyId: policyId
      .nullable()
      .optional()
      .describe("The key's policy; null returns it to the operator default policy"),
    approverFor: z
      .array(apiKeyId)
      .max(1000)
      .optional()
      .describe("For an approver key: the agent keys whose approvals it sees and decides"),
  })
  .strict()
  .refine((body) => body.policyId !== undefined || body.approverFor !== undefined, {
    message: "give policyId, approverFor, or both",
  });

/** Body of POST /api/keys/{id}/freeze and /api/wallet/freeze. */
export const freezeRequest = z
  .object({
    reason: z.string().trim().min(1).max(500).optional().describe("Why (shown to callers)"),
  })
  .strict();

/** Query of GET /api/keys. */
export const listApiKeysQuery = z.object({
  includeRevoked: z.enum(["true", "false"]).default("true").describe("Include revoked keys"),
});

/** Body of POST /api/keys/{id}/unfreeze and /api/wallet/unfreeze: empty (or no body at all). */
export const unfreezeRequest = z.object({}).strict();
