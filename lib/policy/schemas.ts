import { z } from "zod";
import { networkNames } from "../config.js";

/** Action types a policy can allow (the action registry's types). */
export const policyActionTypes = [
  "balance",
  "transfer",
  "swap",
  "pay",
  "discover",
  "subscribe",
  "unsubscribe",
  // markets (issue 19)
  "bet",
  "sellShares",
  "redeem",
] as const;
export type PolicyActionType = (typeof policyActionTypes)[number];

/** The unit of USD limits. */
export const USD = "USD";

const decimal = z
  .string()
  .trim()
  .regex(/^\d{1,30}(\.\d{1,18})?$/, 'must be a decimal number such as "5" or "0.10"');

const usd = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, "must be a decimal number of US dollars (at most 6 decimals)");

const unit = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9.]{0,15}$/, 'must be a token symbol such as USDC, or "USD"')
  .transform((value) => (value.toUpperCase() === USD ? USD : value.toUpperCase()));

/** A limit in one unit: whole tokens (decimal) of a symbol, or US dollars. */
export const PolicyLimit = z
  .object({
    amount: decimal.describe("Whole tokens or US dollars, as a decimal string"),
    token: unit.describe('Token symbol, or "USD" (stablecoins 1:1, CRO at the on-chain pool)'),
  })
  .strict();
export type PolicyLimit = z.infer<typeof PolicyLimit>;

/** A rolling window: at most `amount` (in `token`) and at most `maxCount` actions per period. */
export const PolicyWindow = z
  .object({
    period: z.enum(["hour", "day", "week"]).describe("Rolling period (not calendar)"),
    amount: decimal.optional().describe("Most that may be spent within the period"),
    token: unit.optional().describe('Unit of `amount`: a token symbol or "USD"'),
    maxCount: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe("Most money-moving actions within the period"),
  })
  .strict()
  .refine((w) => (w.amount === undefined) === (w.token === undefined), {
    message: "amount and token go together",
  })
  .refine((w) => w.amount !== undefined || w.maxCount !== undefined, {
    message: "a window needs amount and token, or maxCount",
  });
export type PolicyWindow = z.infer<typeof PolicyWindow>;

/**
 * An address (0x…), an x402 host (api.example.com) or a registry service id (svc_…). Service ids
 * are `svc_` and letters, digits and underscores, at most 100 characters in all (registry
 * serviceId): newId's `svc_<26 base32>`, the older `svc_<20 hex>`, the seeded
 * `svc_demo_market_data`, curated `svc_cronos_testnet_<slug>` and imported `svc_bz_<hex>`. The
 * underscores keep them apart from host names, which cannot contain one.
 */
const counterparty = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(
    /^(0x[0-9a-fA-F]{40}|svc_[0-9A-Za-z](?:[0-9A-Za-z_]{0,94}[0-9A-Za-z])?|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?)$/,
    "must be an address (0x…), a host name or a service id (svc_…)",
  )
  .transform((value) => value.toLowerCase());

/**
 * A policy document: deny by default, so only what it names is allowed. Amounts are decimal
 * strings in whole tokens or US dollars; the engine works in base units and micro-dollars.
 */
export const PolicyDocument = z
  .object({
    allowedActions: z
      .array(z.enum(policyActionTypes))
      .max(policyActionTypes.length)
      .describe("Action types the key may run; anything else is refused"),
    maxPerAction: PolicyLimit.optional().describe("Most one action may spend"),
    windows: z
      .array(PolicyWindow)
      .max(12)
      .default([])
      .describe("Rolling spend and count windows, durable and exact under concurrency"),
    approvalThresholdUsd: usd
      .optional()
      .describe("Actions worth more need approval; a command may lower it, never raise it"),
    approvals: z
      .object({
        required: z.number().int().min(1).max(10).describe("Distinct approvers needed"),
        aboveUsd: usd
          .optional()
          .describe("Actions worth more need `required` approvals (default: every held action)"),
        approvers: z
          .enum(["assigned", "any"])
          .default("assigned")
          .describe("Who may decide: approvers assigned to the agent key, or any approver key"),
      })
      .strict()
      .optional(),
    approvalExpirySeconds: z
      .number()
      .int()
      .min(10)
      .max(30 * 24 * 60 * 60)
      .optional()
      .describe("How long an approval waits before it expires"),
    counterparties: z
      .object({
        allow: z.array(counterparty).max(1000).optional().describe("Only these payees"),
        deny: z.array(counterparty).max(1000).optional().describe("Never these payees (wins)"),
      })
      .strict()
      .optional(),
    tokens: z.array(unit).max(100).optional().describe("Tokens that may be spent (default: any)"),
    networks: z
      .array(z.enum(networkNames))
      .max(networkNames.length)
      .optional()
      .describe("Networks money may move on (default: any)"),
  })
  .strict();
export type PolicyDocument = z.infer<typeof PolicyDocument>;

const policyName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{N} ._@:()/-]+$/u, "letters, digits, spaces and . _ @ : ( ) / - only");

/** Body of POST /api/policies and PUT /api/policies/{id}: the document, optionally named. */
export const policyRequest = PolicyDocument.extend({
  name: policyName.optional().describe("A label for the policy"),
}).strict();
export type PolicyRequest = z.infer<typeof policyRequest>;

/** Path id of a policy. */
export const policyId = z.string().regex(/^pol_[0-9a-z]{26}$/, "must be a policy id (pol_…)");

/** Limits a command may carry: each may only lower the policy's. */
export const CommandLimits = z
  .object({
    approvalThresholdUsd: usd.optional(),
    budget: PolicyLimit.optional(),
  })
  .strict();
export type CommandLimits = z.infer<typeof CommandLimits>;
