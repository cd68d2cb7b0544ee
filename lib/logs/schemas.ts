import { z } from "zod";
import { runId } from "../runs/schemas.js";
import { sessionId } from "../sessions/schemas.js";

/** Severity of a log entry; a `level` filter keeps entries at that level or above. */
export const logLevels = ["info", "warn", "error"] as const;
export type LogLevel = (typeof logLevels)[number];

/** A log entry id: the run event's sequence number. */
export const logId = z
  .string()
  .regex(/^\d{1,18}$/, "must be a log entry id (digits)")
  .describe("Log entry id");

const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .describe("ISO 8601 instant");

/** Query of GET /api/logs. */
export const listLogsQuery = z
  .object({
    sessionId: sessionId.optional().describe("Only entries of this session's runs"),
    runId: runId.optional().describe("Only entries of this run"),
    level: z.enum(logLevels).optional().describe("Minimum severity: info, warn or error"),
    from: instant.optional().describe("Entries at or after this instant"),
    to: instant.optional().describe("Entries before this instant"),
    limit: z.coerce.number().int().min(1).max(500).default(100).describe("Page size"),
    cursor: logId.optional().describe("nextCursor of the previous page"),
  })
  .strict();
export type ListLogsQuery = z.infer<typeof listLogsQuery>;

/** One execution log entry (a run event as a log line). */
export const logEntryResponse = z.object({
  id: logId,
  runId: z.string(),
  sessionId: z.string(),
  level: z.enum(logLevels),
  type: z.string().describe('The event type, e.g. "step.finished"'),
  message: z.string().describe("One human line"),
  data: z.unknown(),
  createdAt: z.string(),
});

/** A page of GET /api/logs. */
export const logPageResponse = z.object({
  logs: z.array(logEntryResponse),
  nextCursor: z.string().nullable(),
});

const tokenSpend = z.object({
  asset: z.string(),
  symbol: z.string().nullable(),
  network: z.string(),
  count: z.number(),
  amount: z.string().describe("Base units"),
  usd: z.string().nullable(),
});

/** GET /api/agent/sessions/{id}/summary. */
export const sessionSummaryResponse = z.object({
  sessionId: z.string(),
  runs: z.object({ total: z.number(), byStatus: z.record(z.string(), z.number()) }),
  payments: z.object({
    settled: z.array(tokenSpend),
    pending: z.array(tokenSpend),
    failedCount: z.number(),
    signedReceipts: z.number(),
  }),
  transfers: z.array(tokenSpend),
  spendUsd: z.string(),
  usdIncomplete: z.boolean(),
  gas: z.object({ unit: z.literal("CRO"), amount: z.string(), transactions: z.number() }),
  modelTokens: z.string(),
  topServices: z.array(z.object({ resourceUrl: z.string(), payments: z.number() })),
});
