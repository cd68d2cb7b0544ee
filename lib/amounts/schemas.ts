import { z } from "zod";
import { amountTextProblem } from "../agent/decimal.js";

/**
 * The one request convention for money (issue 20): `{amount: "<decimal>", token: "<symbol or
 * address>"}`. A person or agent writes whole tokens ("0.10"); base units stay inside the server.
 */

/** A decimal amount as people write it, checked by the command grammar's strict parser. */
export const decimalText = z
  .string({
    error: (issue) =>
      typeof issue.input === "number"
        ? `write amounts as strings of whole tokens, e.g. "${issue.input}"`
        : 'must be a decimal string such as "5" or "0.10"',
  })
  .trim()
  .max(60, "must be at most 60 characters")
  .superRefine((text, context) => {
    const problem = amountTextProblem(text);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .describe('Whole tokens as a decimal string, e.g. "0.10" (never base units)');

/** A token a request names: its symbol ("USDC", "cro", any alias) or its contract address. */
export const tokenRef = z
  .string({ error: 'must be a token symbol such as "USDC" or a 0x contract address' })
  .trim()
  .regex(
    /^(?:[A-Za-z][A-Za-z0-9. ]{0,30}|0x[0-9a-fA-F]{40})$/,
    'must be a token symbol such as "USDC" or a 0x contract address',
  )
  .describe('Token symbol (e.g. "USDC", "CRO") or contract address');

/**
 * `{amount, token}` in a request. A bare string or number in its place (the old base-unit form,
 * e.g. "500000") is refused with a message that shows the new form instead of being misread.
 */
export const amountInput = z
  .object(
    {
      amount: decimalText,
      token: tokenRef,
    },
    {
      // Only the wrong-type issue gets this message; unknown keys keep zod's own ("Unrecognized key").
      error: (issue) =>
        issue.code !== "invalid_type"
          ? undefined
          : typeof issue.input === "string" || typeof issue.input === "number"
            ? `amounts are objects of whole tokens: {"amount": "0.5", "token": "USDC"}; ${JSON.stringify(issue.input)} alone is not accepted (requests never carry base units)`
            : 'must be {"amount": "<decimal>", "token": "<symbol or address>"}',
    },
  )
  .strict()
  .describe('An amount: {"amount": "0.10", "token": "USDC"} (whole tokens, never base units)');
export type AmountInput = z.output<typeof amountInput>;

/** Like amountInput, for limits that may be counted in US dollars as well (token "USD"). */
export const limitInput = amountInput.describe(
  'A spending limit: {"amount": "5", "token": "USDC"}, or token "USD" for US dollars',
);

/**
 * An amount in a response: the decimal a person reads, the base units the chain counts, and the
 * formatted text. `amount` and `token` can be copied straight back into a request.
 */
export const amountView = z
  .object({
    amount: z
      .string()
      .nullable()
      .describe("Whole tokens as a decimal string; null when the token's decimals are unknown"),
    token: z.string().describe('Token symbol ("USDC"), "USD", or the asset address when unknown'),
    baseUnits: z
      .string()
      .regex(/^-?\d+$/)
      .describe("The same amount in base units"),
    decimals: z.number().int().nullable().describe("Decimals of the token; null when unknown"),
    formatted: z.string().describe('The amount with its symbol, e.g. "0.1 USDC"'),
  })
  .strict();
export type AmountView = z.infer<typeof amountView>;
