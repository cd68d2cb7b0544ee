import { z } from "zod";
import { amountView } from "../amounts/schemas.js";

/** An approval request as GET /api/approvals lists it. */
export const approvalResponse = z.object({
  token: z.string(),
  runId: z.string(),
  sessionId: z.string(),
  step: z.number().int(),
  action: z.unknown().describe("The held action (base units inside)"),
  amounts: z
    .record(z.string(), amountView)
    .describe(
      "The action's amounts an edit may change, by field, in the amount form: copy {amount, token} into args to edit",
    ),
  summary: z.string().nullable(),
  amountUsd: z.string().nullable(),
  reason: z.string(),
  rule: z.string().nullable(),
  requiredApprovals: z.number().int(),
  status: z.string(),
  decision: z.unknown().describe("The recorded decision (with an edit's args)"),
  expiresAt: z.string(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
});

/** GET /api/approvals. */
export const approvalList = z.object({ approvals: z.array(approvalResponse) });

/** POST /api/approvals/{token}: the vote as recorded, with the quorum and whether the run resumed. */
export const approvalVoteResponse = approvalResponse.extend({
  approvals: z.number().int().describe("Distinct approvals so far"),
  required: z.number().int().describe("Approvals needed"),
  resumed: z.boolean().describe("Whether the run was woken (the approval is decided)"),
});
