import { z } from "zod";
import { limitInput } from "../amounts/schemas.js";

/** A spending limit: `{amount, token}` in whole tokens (or token "USD"), the one amount convention. */
export const budgetInput = limitInput;

/** US dollars as a decimal string (approval thresholds). */
export const usdAmount = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, "must be a decimal number of US dollars")
  .describe("US dollars as a decimal string");

/** Query of GET /api/wallet/allowance. */
export const dailyAllowanceQuery = z.object({
  sessionId: z.string().trim().min(1).max(200).describe("Session whose daily allowance to read"),
});
