import { z } from "zod";

/** GET /api/wallet/balance: base units and the formatted decimal per token. */
export const walletBalanceResponse = z.object({
  network: z.string(),
  chainId: z.number().int(),
  address: z.string(),
  blockNumber: z.string(),
  balances: z.array(
    z.object({
      symbol: z.string(),
      address: z.string().describe('Contract address, or "native" for CRO'),
      decimals: z.number().int(),
      amount: z.string().describe("Base units"),
      formatted: z.string().describe("Whole tokens"),
    }),
  ),
});

/** GET /api/wallet/transactions: the agent's transactions (amounts in base units of `token`). */
export const walletTransactionsResponse = z.object({
  network: z.string(),
  chainId: z.number().int(),
  transactions: z.array(
    z.object({
      hash: z.string(),
      runId: z.string().nullable(),
      stepId: z.string().nullable(),
      chainId: z.number().int(),
      from: z.string(),
      to: z.string().nullable(),
      nonce: z.number().int(),
      kind: z.string(),
      status: z.string(),
      token: z.string().nullable(),
      amount: z.string().nullable().describe("Base units of token"),
      gasUsed: z.string().nullable(),
      effectiveGasPrice: z.string().nullable(),
      gasCost: z.string().nullable().describe("Native base units"),
      blockNumber: z.string().nullable(),
      error: z.string().nullable(),
      details: z.unknown(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
