import { z } from "zod";
import { ModelInterpretationError } from "../agent/errors.js";

/**
 * Zod pieces of the model-facing step schemas (lib/actions/<type>/model.ts): decimal amounts and
 * symbols exactly as the user wrote them. Fields are nullable rather than optional because strict
 * structured-output modes require every key. The .describe() texts are the model's instructions.
 */

/** A decimal amount exactly as written. */
export const decimal = z
  .string()
  .describe('Decimal amount exactly as the user wrote it, e.g. "0.10" (never scientific notation)');

/** A token symbol from the list in the prompt. */
export const symbolField = z
  .string()
  .describe("Token symbol from the known token list, e.g. CRO or USDC");

/** A model answer that cannot become a command (not a refusal: the model tried). */
export function unusableAnswer(message: string): ModelInterpretationError {
  return new ModelInterpretationError(message, { refused: false });
}
