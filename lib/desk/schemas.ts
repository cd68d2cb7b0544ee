import { z } from "zod";
import { approvalToken } from "../approvals/schemas.js";

/** Query of GET /api/desk/approvals. */
export const deskApprovalsQuery = z
  .object({
    status: z
      .enum(["pending", "decided", "all"])
      .default("pending")
      .describe("pending: waiting now; decided: approved, rejected, edited, expired or cancelled"),
    token: approvalToken.optional().describe("Only this approval (the approve link's #approval=)"),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type DeskApprovalsQuery = z.infer<typeof deskApprovalsQuery>;

/** Query of GET /api/desk/spend. */
export const deskSpendQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(90).default(30).describe("Days of the per-day chart"),
  })
  .strict();
export type DeskSpendQuery = z.infer<typeof deskSpendQuery>;

/** One piece of a human sentence; `strong` pieces are the amounts a person must not misread. */
export const sentencePart = z.object({ text: z.string(), strong: z.boolean().optional() });
export type SentencePart = z.infer<typeof sentencePart>;
