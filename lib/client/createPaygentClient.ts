import type { z } from "zod";
import type { GetBalancesReturnType } from "../chain/getBalances.js";
import type { SessionSummary } from "../logs/getSessionSummary.js";
import type { LogPage } from "../logs/listLogs.js";
import type { LogEntry } from "../logs/logEntry.js";
import type { ListLogsQuery } from "../logs/schemas.js";
import {
  cancelRunSpec,
  decideApprovalSpec,
  discoverServicesSpec,
  getBalanceSpec,
  getRunSpec,
  listApprovalsSpec,
  listRunsSpec,
  payX402Spec,
  quoteX402Spec,
  runCommandSpec,
  type ToolSpec,
} from "../mcp/toolSpecs.js";
import type { DiscoverServicesReturnType } from "../registry/discoverServices.js";
import type { RunView, summarizeRun } from "../runs/read/runView.js";
import type { CancelRunResult } from "../runs/wake/cancelRun.js";
import type { Quote } from "../x402/quotePaymentRequired.js";
import { PaygentApiError } from "./PaygentApiError.js";

/** Options of createPaygentClient. */
export interface PaygentClientOptions {
  /** Where Paygent runs, e.g. "https://paygent.example" (no /api). */
  baseUrl: string;
  /** A Paygent API key (pgk_…). */
  apiKey: string;
  fetch?: typeof fetch;
  /** Per request (default 30 s). */
  timeoutMs?: number;
}

/** A started (or replayed) run, as POST /api/agent/execute and /api/payments/x402 answer. */
export interface AcceptedRun {
  runId: string;
  sessionId: string;
  status: RunView["status"];
  links: RunView["links"];
  replayed?: boolean;
}

type Input<S extends ToolSpec> = z.input<S["inputSchema"]>;

/** The typed Paygent API: one method per main endpoint, inputs checked by the tools' zod schemas. */
export interface PaygentClient {
  runCommand(input: Input<typeof runCommandSpec>): Promise<AcceptedRun>;
  /** With waitSeconds (≤ 25), polls until the run ends or needs approval. */
  getRun(input: Input<typeof getRunSpec>): Promise<RunView>;
  listRuns(
    input?: Input<typeof listRunsSpec>,
  ): Promise<{ runs: ReturnType<typeof summarizeRun>[]; nextCursor: string | null }>;
  getBalance(
    input?: Input<typeof getBalanceSpec>,
  ): Promise<GetBalancesReturnType & { network: string; chainId: number }>;
  discoverServices(input?: Input<typeof discoverServicesSpec>): Promise<DiscoverServicesReturnType>;
  quoteX402(input: Input<typeof quoteX402Spec>): Promise<Quote>;
  payX402(input: Input<typeof payX402Spec>): Promise<AcceptedRun>;
  cancelRun(input: Input<typeof cancelRunSpec>): Promise<CancelRunResult>;
  listApprovals(input?: Input<typeof listApprovalsSpec>): Promise<{ approvals: unknown[] }>;
  decideApproval(input: Input<typeof decideApprovalSpec>): Promise<unknown>;
  listLogs(
    query?: Partial<Omit<ListLogsQuery, "from" | "to">> & { from?: string; to?: string },
  ): Promise<LogPage>;
  getLog(id: string): Promise<LogEntry>;
  getSessionSummary(sessionId: string): Promise<SessionSummary>;
}

const settled = new Set(["completed", "failed", "cancelled", "waiting_approval"]);

/**
 * A typed client of Paygent's REST API, written on the same zod schemas as the MCP tools (so a
 * bad input fails here, before any request, with the message Paygent would give). Errors are
 * PaygentApiError with the answer's status, code and message. Scope of the key decides what it
 * may do: limits, budgets and approvals are enforced by Paygent, never by this client.
 */
export function createPaygentClient(options: PaygentClientOptions): PaygentClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;

  async function request<T>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await doFetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error ?? {};
      throw new PaygentApiError({
        status: response.status,
        code: typeof error.code === "string" ? error.code : `http_${response.status}`,
        message:
          typeof error.message === "string" ? error.message : `Paygent answered ${response.status}`,
        hints: Array.isArray(error.hints) ? (error.hints as string[]) : undefined,
        issues: error.issues,
      });
    }
    return parsed as T;
  }

  const query = (values: Record<string, unknown>): string => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      params.set(key, Array.isArray(value) ? value.join(",") : String(value));
    }
    const text = params.toString();
    return text ? `?${text}` : "";
  };

  const client: PaygentClient = {
    async runCommand(input) {
      const { idempotencyKey, ...body } = runCommandSpec.inputSchema.parse(input);
      return request<AcceptedRun>(
        "POST",
        "/api/agent/execute",
        body,
        idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
      );
    },
    async getRun(input) {
      const { runId, waitSeconds } = getRunSpec.inputSchema.parse(input);
      const deadline = Date.now() + (waitSeconds ?? 0) * 1000;
      for (;;) {
        const view = await request<RunView>("GET", `/api/runs/${runId}`);
        if (settled.has(view.status) || Date.now() >= deadline) return view;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async listRuns(input = {}) {
      return request("GET", `/api/runs${query(listRunsSpec.inputSchema.parse(input))}`);
    },
    async getBalance(input = {}) {
      return request("GET", `/api/wallet/balance${query(getBalanceSpec.inputSchema.parse(input))}`);
    },
    async discoverServices(input = {}) {
      const { query: q, ...rest } = discoverServicesSpec.inputSchema.parse(input);
      return request("GET", `/api/services/discover${query({ q, ...rest })}`);
    },
    async quoteX402(input) {
      return request("POST", "/api/payments/quote", quoteX402Spec.inputSchema.parse(input));
    },
    async payX402(input) {
      const { idempotencyKey, ...body } = payX402Spec.inputSchema.parse(input);
      return request<AcceptedRun>(
        "POST",
        "/api/payments/x402",
        body,
        idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
      );
    },
    async cancelRun(input) {
      const { runId } = cancelRunSpec.inputSchema.parse(input);
      return request("POST", `/api/runs/${runId}/cancel`);
    },
    async listApprovals(input = {}) {
      return request("GET", `/api/approvals${query(listApprovalsSpec.inputSchema.parse(input))}`);
    },
    async decideApproval(input) {
      const { token, ...decision } = decideApprovalSpec.inputSchema.parse(input);
      return request("POST", `/api/approvals/${token}`, decision);
    },
    async listLogs(input = {}) {
      return request("GET", `/api/logs${query(input)}`);
    },
    async getLog(id) {
      return request("GET", `/api/logs/${encodeURIComponent(id)}`);
    },
    async getSessionSummary(sessionId) {
      return request("GET", `/api/agent/sessions/${encodeURIComponent(sessionId)}/summary`);
    },
  };
  return client;
}
