import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { createPolicy, listPolicies, policyRequest } from "../../lib/policy/index.js";
import { policyList, writtenPolicyResponse } from "../../lib/policy/responses.js";

/** GET /api/policies — every live policy at its current version (admin). */
export const GET = endpoint(
  {
    route: "/api/policies",
    method: "GET",
    operationId: "listPolicies",
    summary: "Every live policy at its current version (admin)",
    tags: ["policies"],
    auth: "admin",
    success: { status: 200, description: "The policies", schema: policyList },
  },
  async () => ({ policies: await listPolicies(await getDb()) }),
);

/** POST /api/policies — a new policy (version 1); deny by default, so only what it names is allowed. */
export const POST = endpoint(
  {
    route: "/api/policies",
    method: "POST",
    operationId: "createPolicy",
    summary: "Create a policy: allowed actions, limits, windows, approvals, counterparties (admin)",
    tags: ["policies"],
    auth: "admin",
    rateLimit: "command",
    body: { name: "PolicyRequest", schema: policyRequest },
    success: { status: 201, description: "The policy at version 1", schema: writtenPolicyResponse },
    responses: { 422: "A token or network the deployment does not know" },
  },
  async ({ principal, body }) => {
    const { name, ...document } = body;
    return await createPolicy(await getDb(), { name, document, createdBy: principal.keyId });
  },
);
