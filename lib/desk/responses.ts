import { z } from "zod";
import { budgetStatusBase } from "../budget/responses.js";
import { sentencePart } from "./schemas.js";

/** GET /api/desk/me. */
export const deskContextResponse = z.object({
  key: z.object({ id: z.string(), name: z.string().nullable(), role: z.string() }),
  network: z.object({
    name: z.string(),
    chainId: z.number().int(),
    explorerTxUrl: z.string().nullable(),
    dex: z.string().nullable(),
  }),
  walletFreeze: z
    .object({
      reason: z.string().nullable(),
      frozenBy: z.string().nullable(),
      frozenAt: z.string(),
    })
    .nullable(),
  tokens: z.array(
    z.object({
      symbol: z.string(),
      name: z.string(),
      address: z.string(),
      decimals: z.number().int(),
      stable: z.boolean(),
    }),
  ),
});

/** GET /api/desk/approvals: approvals as sentences, with the amounts an edit may change (base units). */
export const deskApprovalList = z.object({
  approvals: z.array(
    z.object({
      token: z.string(),
      runId: z.string(),
      sessionId: z.string(),
      step: z.number().int(),
      status: z.string(),
      action: z.unknown(),
      summary: z.string().nullable(),
      amountUsd: z.string().nullable(),
      reason: z.string(),
      rule: z.string().nullable(),
      policy: z.object({ id: z.string(), version: z.number().int().nullable() }).nullable(),
      required: z.number().int(),
      granted: z.number().int(),
      canDecide: z.boolean(),
      command: z.string(),
      createdAt: z.string(),
      expiresAt: z.string(),
      decidedAt: z.string().nullable(),
      decision: z.string().nullable(),
      votes: z.array(
        z.object({
          keyId: z.string(),
          name: z.string().nullable(),
          decision: z.string(),
          at: z.string().nullable(),
        }),
      ),
      comment: z.string().nullable(),
      changes: z.array(
        z.object({ field: z.string(), token: z.string(), from: z.string(), to: z.string() }),
      ),
      sentence: z.array(sentencePart),
      editable: z.array(
        z.object({
          field: z.string(),
          label: z.string(),
          token: z.string(),
          decimals: z.number().int(),
          value: z.string().describe("Base units"),
        }),
      ),
    }),
  ),
});

const assetToken = z.object({ symbol: z.string(), decimals: z.number().int() }).nullable();

/** GET /api/desk/spend: the desk's spend read model (base units with each token's decimals). */
export const deskSpendResponse = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      apiKeyId: z.string().nullable(),
      createdAt: z.string(),
      budgetStatus: budgetStatusBase,
    }),
  ),
  keys: z.array(
    z.object({
      keyId: z.string().nullable(),
      name: z.string().nullable(),
      token: z.string(),
      spent: z.string(),
      today: z.string(),
    }),
  ),
  daily: z.object({
    from: z.string(),
    to: z.string(),
    days: z.array(z.string()),
    series: z.array(
      z.object({
        asset: z.string(),
        token: assetToken,
        amounts: z.array(z.string()),
        total: z.string(),
      }),
    ),
  }),
  byService: z.array(
    z.object({
      serviceId: z.string().nullable(),
      name: z.string(),
      asset: z.string(),
      token: assetToken,
      amount: z.string(),
      count: z.number().int(),
    }),
  ),
});
