import type { LogLevel } from "./schemas.js";

/** One entry of the execution log: a run event in the earlier product's vocabulary. */
export interface LogEntry {
  id: string;
  runId: string;
  sessionId: string;
  level: LogLevel;
  /** The event type, e.g. "step.finished". */
  type: string;
  /** One human line. */
  message: string;
  data: unknown;
  createdAt: string;
}

/** The row shape the log queries select. */
export interface LogRow {
  /** bigserial: string (node-postgres) or bigint (PGlite). */
  id: unknown;
  run_id: string;
  session_id: string;
  type: string;
  data: unknown;
  created_at: Date;
}

/** Maps a run event row to a log entry (level and message derived from type and data). */
export function toLogEntry(row: LogRow): LogEntry {
  const data = (row.data ?? {}) as Record<string, unknown>;
  return {
    id: String(row.id),
    runId: row.run_id,
    sessionId: row.session_id,
    level: levelOf(row.type, data),
    type: row.type,
    message: messageOf(row.type, data),
    data: row.data,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Failures are errors; anything that waits on a person or an event is a warning. */
export function levelOf(type: string, data: Record<string, unknown>): LogLevel {
  if (type === "run.failed") return "error";
  if (type === "step.finished" && data.status !== undefined && data.status !== "completed") {
    return data.status === "failed" ? "error" : "warn";
  }
  if (type === "approval.required" || type === "waiting.event" || type === "run.cancelled") {
    return "warn";
  }
  if (type === "approval.decided" && data.decision !== "approve") return "warn";
  return "info";
}

/** SQL: the event types at or above a level (level is derived, so filters list the types). */
export function typesAtLeast(level: LogLevel): string[] | undefined {
  if (level === "info") return undefined;
  if (level === "warn") {
    return [
      "run.failed",
      "step.finished",
      "approval.required",
      "waiting.event",
      "run.cancelled",
      "approval.decided",
    ];
  }
  return ["run.failed", "step.finished"];
}

function messageOf(type: string, data: Record<string, unknown>): string {
  const step = typeof data.index === "number" ? ` step ${data.index}` : "";
  switch (type) {
    case "run.accepted":
      return `Accepted: ${String(data.command ?? "")}`.slice(0, 300);
    case "run.planned":
      return `Planned: ${Array.isArray(data.explanation) ? data.explanation.join(" ") : ""}`.slice(
        0,
        300,
      );
    case "step.started":
      return `Started${step} (${String(data.action ?? "action")})`;
    case "step.finished":
      return `Finished${step}: ${String(data.status ?? "completed")}`;
    case "approval.required":
      return `Approval required for${step}: ${String(data.reason ?? "")}`.slice(0, 300);
    case "approval.decided":
      return `Approval for${step} decided: ${String(data.decision ?? "")}`;
    case "waiting.event":
      return `Waiting${step} for ${String(data.token ?? "an event")}`;
    case "run.completed":
      return "Run completed";
    case "run.failed":
      return `Run failed: ${String((data as { message?: unknown }).message ?? data.reason ?? "")}`.slice(
        0,
        300,
      );
    case "run.cancelled":
      return "Run cancelled";
    default:
      return type;
  }
}
