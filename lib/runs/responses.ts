import { z } from "zod";
import { amountView } from "../amounts/schemas.js";
import { runStatus } from "./schemas.js";

/** What an api/ answer with links to a run carries. */
export const runLinks = z
  .object({ self: z.string(), events: z.string(), cancel: z.string() })
  .strict();

/**
 * 202 for a started (or replayed) run (lib/runs/start/accepted.ts). Routes add what the caller
 * asked for, each amount in the response form (e.g. transfer's `amount`, x402's `maxAmount`).
 */
export const acceptedRun = z
  .object({
    runId: z.string(),
    sessionId: z.string(),
    status: runStatus,
    links: runLinks,
    replayed: z.literal(true).optional().describe("Present when an Idempotency-Key replayed a run"),
    amount: amountView.optional().describe("The amount a transfer sends"),
    to: z.string().optional().describe("The transfer's recipient"),
    maxAmount: amountView.optional().describe("Most an x402 payment may cost"),
    url: z.string().optional().describe("The x402 resource paid"),
    serviceId: z.string().optional().describe("The service subscribed to"),
    period: z.string().optional().describe("The subscription's period"),
    subscriptionId: z.string().optional().describe("The subscription"),
  })
  .catchall(z.unknown());
export type AcceptedRun = z.input<typeof acceptedRun>;

const timings = z.object({
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});

/** A run in a list: everything but intent, plan, steps and approvals. */
export const runSummary = z.object({
  id: z.string(),
  sessionId: z.string(),
  kind: z.string(),
  status: runStatus,
  workflowRunId: z.string().nullable(),
  command: z.string(),
  result: z.unknown(),
  error: z.unknown(),
  cost: z.unknown(),
  cancelRequestedAt: z.string().nullable(),
  timings,
  links: runLinks,
});

/** GET /api/runs. */
export const runPage = z.object({ runs: z.array(runSummary), nextCursor: z.string().nullable() });

/** GET /api/runs/{id}: the run with its execution log, pending approvals and policy decisions. */
export const runResponse = runSummary.extend({
  intent: z.unknown(),
  plan: z.unknown(),
  steps: z.array(
    z.object({
      index: z.number().int(),
      action: z.string(),
      status: z.string(),
      input: z.unknown(),
      output: z.unknown(),
      txHashes: z.array(z.string()),
      cost: z.unknown(),
      error: z.string().nullable(),
      attempts: z.number().int(),
      startedAt: z.string().nullable(),
      finishedAt: z.string().nullable(),
      durationMs: z.number().nullable(),
    }),
  ),
  pendingApprovals: z.array(
    z.object({
      token: z.string(),
      step: z.number().int(),
      action: z.unknown(),
      amountUsd: z.string().nullable(),
      reason: z.string(),
      requiredApprovals: z.number().int(),
      expiresAt: z.string(),
    }),
  ),
  policyDecisions: z.array(
    z.object({
      step: z.number().int(),
      outcome: z.enum(["allow", "hold", "refuse"]),
      rule: z.string(),
      message: z.string(),
      policy: z.object({ id: z.string().nullable(), version: z.number().int().nullable() }),
      requiredApprovals: z.number().int(),
      grantedApprovals: z.number().int(),
      at: z.string(),
    }),
  ),
});

/** POST /api/runs/{id}/cancel. */
export const cancelledRun = z.object({
  runId: z.string(),
  status: z.literal("cancelled"),
  submittedTxHashes: z
    .array(z.string())
    .describe("Transactions already submitted before the cancel; reported, not undone"),
  inFlightSteps: z.array(z.number().int()).describe("Actions in flight that may still finish"),
});
