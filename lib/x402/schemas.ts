import { z } from "zod";
import { paymentStatuses } from "./payments.js";

/** A payment's id. */
export const paymentId = z.string().regex(/^[\w:-]{1,100}$/, "not a payment id");

/** Query of GET /api/payments. */
export const listPaymentsQuery = z.object({
  status: z
    .enum(paymentStatuses) // hostile (issue 14): + unknown, cancelled, expired
    .optional()
    .describe("Only payments in this state"),
  sessionId: z.string().min(1).max(100).optional().describe("Only payments of this session"),
  from: z.iso.datetime({ offset: true }).optional().describe("Created at or after (ISO 8601)"),
  to: z.iso.datetime({ offset: true }).optional().describe("Created before (ISO 8601)"),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("Page size"),
  cursor: z.string().max(500).optional().describe("nextCursor of the previous page"),
});

/** Query of GET /api/payments/stats. */
export const paymentStatsQuery = z.object({
  sessionId: z.string().min(1).max(100).optional().describe("Only payments of this session"),
  from: z.iso.datetime({ offset: true }).optional().describe("Created at or after (ISO 8601)"),
  to: z.iso.datetime({ offset: true }).optional().describe("Created before (ISO 8601)"),
});

/** Body of POST /api/webhooks/payment: a facilitator that settles later reports the outcome. */
export const paymentWebhookEvent = z
  .object({
    nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be the 32-byte EIP-3009 nonce"),
    status: z.enum(["settled", "failed"]),
    transaction: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte transaction hash")
      .optional(),
    reason: z.string().max(500).optional(),
  })
  .strict();

/** Body of POST /api/facilitator/{verify|settle} (the devnet facilitator). */
export const facilitatorRequest = z.object({
  x402Version: z.number().int().min(1).max(2),
  paymentPayload: z.looseObject({
    x402Version: z.number().int(),
    payload: z.record(z.string(), z.unknown()),
  }),
  paymentRequirements: z.looseObject({
    scheme: z.string(),
    network: z.string(),
    asset: z.string(),
    payTo: z.string(),
  }),
});

/** What the devnet facilitator reads (GET). */
export const facilitatorReadAction = z.enum(["supported"]).describe("supported");

/** What the devnet facilitator does (POST). */
export const facilitatorWriteAction = z
  .enum(["verify", "settle"])
  .describe("verify or settle a payment");
