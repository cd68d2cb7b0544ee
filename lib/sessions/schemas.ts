import { z } from "zod";
import { budgetInput, usdAmount } from "../budget/schemas.js";

/** An agent session's id. */
export const sessionId = z
  .string()
  .regex(/^ses_[0-9a-z]{26}$/, "must be a session id (ses_…)")
  .describe("Agent session id");

/** Body of POST /api/agent/sessions. */
export const createSessionRequest = z
  .object({
    budget: budgetInput.optional().describe("Total the session may spend"),
    dailyLimit: budgetInput.optional().describe("What the session may spend per UTC day"),
    approvalThreshold: usdAmount.optional(),
  })
  .strict();

/** Body of PATCH /api/agent/sessions/{id}: limits to lower (at least one). */
export const updateSessionRequest = z
  .object({
    budget: budgetInput.optional().describe("A lower total, in the session's budget token"),
    dailyLimit: budgetInput.optional().describe("A lower daily limit, in its token"),
    approvalThreshold: usdAmount.optional().describe("A lower approval threshold"),
  })
  .strict()
  .refine(
    (body) => body.budget || body.dailyLimit || body.approvalThreshold !== undefined,
    "name at least one of budget, dailyLimit, approvalThreshold",
  );

/** Query of GET /api/agent/sessions. */
export const listSessionsQuery = z
  .object({
    status: z.enum(["active", "closed"]).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(100).optional(),
  })
  .strict();
