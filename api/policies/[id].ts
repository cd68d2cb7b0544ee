import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import {
  deletePolicy,
  getPolicy,
  policyId,
  policyRequest,
  updatePolicy,
} from "../../lib/policy/index.js";
import {
  deletedPolicyResponse,
  policyResponse,
  writtenPolicyResponse,
} from "../../lib/policy/responses.js";

const getPolicyQuery = z.object({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe("An older version (decisions record the version they were made under)"),
});

/** GET /api/policies/{id}?version — the policy at its current (or an older) version (admin). */
export const GET = endpoint(
  {
    route: "/api/policies/[id]",
    method: "GET",
    operationId: "getPolicy",
    summary: "A policy at its current or an older version (admin)",
    tags: ["policies"],
    auth: "admin",
    params: { id: policyId },
    query: getPolicyQuery,
    success: { status: 200, description: "The policy", schema: policyResponse },
  },
  async ({ params, query }) =>
    await getPolicy(await getDb(), { id: params.id, version: query.version }),
);

/** PUT /api/policies/{id} — replace the document; a new version, recorded with later decisions. */
export const PUT = endpoint(
  {
    route: "/api/policies/[id]",
    method: "PUT",
    operationId: "updatePolicy",
    summary: "Replace a policy's document, creating a new version (admin)",
    tags: ["policies"],
    auth: "admin",
    rateLimit: "command",
    params: { id: policyId },
    body: { name: "PolicyRequest", schema: policyRequest },
    success: {
      status: 200,
      description: "The policy at its new version",
      schema: writtenPolicyResponse,
    },
  },
  async ({ principal, params, body }) => {
    const { name, ...document } = body;
    return await updatePolicy(await getDb(), {
      id: params.id,
      name,
      document,
      updatedBy: principal.keyId,
    });
  },
);

/** DELETE /api/policies/{id} — delete a policy no live key uses (409 naming the keys otherwise). */
export const DELETE = endpoint(
  {
    route: "/api/policies/[id]",
    method: "DELETE",
    operationId: "deletePolicy",
    summary: "Delete a policy that no live key uses (admin)",
    tags: ["policies"],
    auth: "admin",
    rateLimit: "command",
    params: { id: policyId },
    success: { status: 200, description: "Deleted", schema: deletedPolicyResponse },
    responses: { 409: "Keys still use the policy" },
  },
  async ({ params }) => ({
    ...(await deletePolicy(await getDb(), params.id)),
    deleted: true as const,
  }),
);
