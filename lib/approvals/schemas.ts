import { z } from "zod";
import { sessionId } from "../sessions/schemas.js";
import { decisionArgsProblem } from "./decisionArgsProblem.js";

/** The token that names one approval request. */
export const approvalToken = z
  .string()
  .regex(/^apr_[0-9a-z]{26}$/, "must be an approval token (apr_…)");

/** Body of POST /api/approvals/{token}. */
export const approvalDecision = z
  .object({
    decision: z.enum(["approve", "reject", "edit"]),
    args: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Only with decision "edit" (400 otherwise): the fields of the held action to change, at least one, each a field of that action (never `type`); amounts in the request form, e.g. {"maxAmount": {"amount": "0.5", "token": "USDC"}}',
      ),
    comment: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((value, context) => {
    // The same rule decideApproval applies to every other caller (MCP, the typed client).
    const problem = decisionArgsProblem(value);
    if (problem) context.addIssue({ code: "custom", message: problem, path: ["args"] });
  });
export type ApprovalDecision = z.infer<typeof approvalDecision>;

/** Query of GET /api/approvals. */
export const listApprovalsQuery = z
  .object({
    status: z
      .enum(["pending", "approved", "rejected", "edited", "expired", "cancelled"])
      .optional(),
    sessionId: sessionId.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
