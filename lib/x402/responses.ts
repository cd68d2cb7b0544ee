import { z } from "zod";
import { viewAssetAmount } from "../amounts/viewAssetAmount.js";
import type { PaymentStatsRow, PaymentView } from "./payments.js";

/**
 * A payment as the API answers it. `amount`, `asset` and `network` are the x402 terms as paid
 * (base units, as the protocol counts them); `formatted` is the same amount for a person.
 */
export const paymentResponse = z.object({
  id: z.string(),
  runId: z.string().nullable(),
  stepId: z.string().nullable(),
  sessionId: z.string().nullable(),
  serviceId: z.string().nullable(),
  resourceUrl: z.string(),
  amount: z.string().describe("Base units of asset (the x402 terms)"),
  asset: z.string(),
  network: z.string(),
  formatted: z.string().describe('The amount with its symbol, e.g. "0.1 USDC"'),
  payTo: z.string(),
  payer: z.string().nullable(),
  nonce: z.string(),
  txHash: z.string().nullable(),
  status: z.enum(["pending", "settled", "failed", "unknown", "cancelled", "expired"]),
  error: z.string().nullable(),
  validBefore: z.string().nullable(),
  payeeFailed: z.boolean(),
  cancelTxHash: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  settledAt: z.string().nullable(),
});
export type PaymentResponse = z.input<typeof paymentResponse>;

/** GET /api/payments. */
export const paymentPage = z.object({
  payments: z.array(paymentResponse),
  nextCursor: z.string().nullable(),
});

/** GET /api/payments/stats: totals per asset and network (base units) with their formatted forms. */
export const paymentStatsResponse = z.object({
  stats: z.array(
    z.object({
      asset: z.string(),
      network: z.string(),
      count: z.number().int(),
      settledCount: z.number().int(),
      pendingCount: z.number().int(),
      failedCount: z.number().int(),
      unknownCount: z.number().int(),
      settledAmount: z.string(),
      pendingAmount: z.string(),
      unknownAmount: z.string(),
      formatted: z.object({ settled: z.string(), pending: z.string(), unknown: z.string() }),
    }),
  ),
});

/** A payment view (base units) → its response form. */
export function toPaymentResponse(view: PaymentView): PaymentResponse {
  return { ...view, formatted: viewAssetAmount(view.amount, view.asset, view.network).formatted };
}

/** A stats row → its response form. */
export function toPaymentStatsResponse(row: PaymentStatsRow) {
  const formatted = (amount: string) => viewAssetAmount(amount, row.asset, row.network).formatted;
  return {
    ...row,
    formatted: {
      settled: formatted(row.settledAmount),
      pending: formatted(row.pendingAmount),
      unknown: formatted(row.unknownAmount),
    },
  };
}
