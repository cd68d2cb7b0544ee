import { z } from "zod";

/** Query of GET /api/wallet/balance: comma-separated tokens, parsed into a list. */
export const walletBalanceQuery = z.object({
  tokens: z
    .string()
    .max(200)
    .default("CRO,USDC")
    .transform((value) =>
      value
        .split(",")
        .map((token) => token.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().min(1).max(42)).min(1).max(10))
    .describe("Comma-separated token symbols, aliases or addresses (default CRO,USDC)"),
});

/** Query of GET /api/wallet/transactions. */
export const walletTransactionsQuery = z.object({
  status: z
    .enum(["submitted", "confirmed", "reverted", "dropped"])
    .optional()
    .describe("Only transactions in this state"),
  kind: z
    .enum(["transfer", "approve", "swap", "market_buy", "market_sell", "market_redeem"])
    .optional()
    .describe("Only this kind of transaction"),
  runId: z.string().min(1).max(100).optional().describe("Only transactions of this run"),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe("Page size"),
  cursor: z.string().max(500).optional().describe("nextCursor of the previous page"),
});

/** Body of POST /api/webhooks/chain: a notifier names a transaction with news. */
export const chainWebhookEvent = z
  .object({ hash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte transaction hash") })
  .strict();
