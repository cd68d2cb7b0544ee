import { z } from "zod";
import { mcpToolCall } from "../actions/fields.js";
import { amountInput } from "../amounts/schemas.js";
import { commandRoles, deciderRoles, type Role } from "../auth/roles.js";
import { commandText, runId, runStatus } from "../runs/schemas.js";
import { sessionId } from "../sessions/schemas.js";

/**
 * The agent-facing tools, declared once: name, description and zod input schema (every field
 * `.describe()`d, because the description is what a model reads). The MCP server (lib/mcp), the
 * typed client (lib/client) and the AI SDK tools (lib/client/paygentTools.ts) are all built on
 * these, so a tool reads the same everywhere. No handler here: this file must stay importable by
 * clients without the server's dependencies.
 *
 * Limits live in Paygent (policy, budgets, approvals), never in these descriptions: a model cannot
 * talk its way past them.
 */

/** Who may call a tool: a key's role (lib/auth/roles.ts). */
export type McpRole = Role;

/** Roles that act for an agent (submit commands, pay). Approvers never can. */
export const agentRoles = commandRoles;
/** Roles that decide approvals. Agents never can: they do not even see these tools. */
export const approverRoles = deciderRoles;

/** One tool's declaration. */
export interface ToolSpec<S extends z.ZodObject = z.ZodObject> {
  name: string;
  /** What the tool does, for a model. */
  description: string;
  inputSchema: S;
  /** Roles whose keys see and may call the tool. */
  roles: readonly McpRole[];
}

const httpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .describe("An http(s) URL of an x402-protected resource");

export const runCommandSpec = {
  name: "run_command",
  description:
    'Start a durable Paygent run from a plain-language command, e.g. "swap 10 CRO for USDC then pay 0.10 USDC to the market data API". Returns at once with the run id; follow it with get_run. Paygent applies the key\'s policy, budgets and approvals; a run may stop in waiting_approval until a person decides.',
  inputSchema: z.object({
    command: commandText.describe(
      "The command in plain language (English), one or several steps joined by 'then'",
    ),
    sessionId: sessionId
      .optional()
      .describe("Session to run in (its budget and memory); a new session when omitted"),
    idempotencyKey: z
      .string()
      .regex(/^[\w.:-]{1,128}$/)
      .optional()
      .describe("Retry-safe key: the same key returns the same run instead of starting another"),
  }),
  roles: agentRoles,
} satisfies ToolSpec;

export const getRunSpec = {
  name: "get_run",
  description:
    "Read a run: status, plan, every step with its output and transactions, pending approvals, result, error and cost. With waitSeconds, waits (up to 25 s) and returns as soon as the run ends or needs approval.",
  inputSchema: z.object({
    runId: runId.describe("The run id returned by run_command or pay_x402"),
    waitSeconds: z
      .number()
      .int()
      .min(0)
      .max(25)
      .optional()
      .describe("Wait up to this many seconds for the run to end or to need approval (0–25)"),
  }),
  roles: agentRoles,
} satisfies ToolSpec;

export const listRunsSpec = {
  name: "list_runs",
  description: "List the runs this key can see, newest first.",
  inputSchema: z.object({
    sessionId: sessionId.optional().describe("Only runs of this session"),
    status: runStatus.optional().describe("Only runs in this status"),
    limit: z.number().int().min(1).max(100).default(20).describe("Page size (1–100)"),
    cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
  }),
  roles: agentRoles,
} satisfies ToolSpec;

export const getBalanceSpec = {
  name: "get_balance",
  description:
    "Read the agent wallet's balances (base units and formatted) on Paygent's network. Reading costs nothing.",
  inputSchema: z.object({
    tokens: z
      .array(z.string().min(1).max(42))
      .min(1)
      .max(10)
      .default(["CRO", "USDC"])
      .describe("Token symbols or addresses, default CRO and USDC"),
  }),
  roles: agentRoles,
} satisfies ToolSpec;

export const discoverServicesSpec = {
  name: "discover_services",
  description:
    "Search Paygent's registry of paid services (HTTP x402 resources and paid MCP servers with per-tool prices). Discovery is free and never pays; use quote_x402 for a live price and pay_x402 to buy.",
  inputSchema: z.object({
    query: z.string().trim().max(200).optional().describe("Words to look for in name/description"),
    category: z.string().trim().max(63).optional().describe("Category slug, e.g. market-data"),
    maxPrice: amountInput
      .optional()
      .describe(
        'Highest declared price per call, e.g. {"amount":"0.10","token":"USDC"}; only services priced in that token match',
      ),
    mcp: z.boolean().optional().describe("true: only MCP services; false: only plain HTTP ones"),
    limit: z.number().int().min(1).max(50).default(10).describe("How many services (1–50)"),
  }),
  roles: agentRoles,
} satisfies ToolSpec;

export const quoteX402Spec = {
  name: "quote_x402",
  description:
    "Ask an x402 resource (or one tool of a paid MCP server) for its price WITHOUT paying: returns every payment option it offers and the one Paygent would pay, or why it would refuse. Nothing is signed.",
  inputSchema: z.object({
    url: httpUrl,
    tool: mcpToolCall.optional(),
    maxAmount: amountInput
      .optional()
      .describe(
        'Check the price against this per-payment limit, e.g. {"amount": "0.10", "token": "USDC"}',
      ),
  }),
  roles: agentRoles,
} satisfies ToolSpec;

export const payX402Spec = {
  name: "pay_x402",
  description:
    "Buy an x402 resource (or call one tool of a paid MCP server) as a durable run: Paygent pays at most maxAmount, within the key's policy and the session's budget, exactly once however often the run retries. Returns the run id; the paid content is in get_run's result.",
  inputSchema: z.object({
    url: httpUrl,
    maxAmount: amountInput.describe(
      'Most this payment may cost, in whole tokens of the token paid: {"amount": "0.10", "token": "USDC"}',
    ),
    sessionId: sessionId.optional().describe("Session to charge; a new one when omitted"),
    tool: mcpToolCall.optional(),
    idempotencyKey: z
      .string()
      .regex(/^[\w.:-]{1,128}$/)
      .optional()
      .describe("Retry-safe key: the same key returns the same run instead of paying again"),
  }),
  roles: agentRoles,
} satisfies ToolSpec;

export const cancelRunSpec = {
  name: "cancel_run",
  description:
    "Kill switch: cancel an active run. No payment or swap starts after the cancel is accepted; transactions already submitted are reported, not undone.",
  inputSchema: z.object({ runId: runId.describe("The run to cancel") }),
  roles: agentRoles,
} satisfies ToolSpec;

export const listApprovalsSpec = {
  name: "list_approvals",
  description: "List approval requests this key may decide (pending by default).",
  inputSchema: z.object({
    status: z
      .enum(["pending", "approved", "rejected", "edited", "expired", "cancelled"])
      .default("pending")
      .describe("Which approvals to list"),
    sessionId: sessionId.optional().describe("Only approvals of this session"),
    limit: z.number().int().min(1).max(100).default(50).describe("How many (1–100)"),
  }),
  roles: approverRoles,
} satisfies ToolSpec;

export const decideApprovalSpec = {
  name: "decide_approval",
  description:
    "Approve or reject a pending approval request; the waiting run resumes. Only approver keys may decide.",
  inputSchema: z
    .object({
      token: z
        .string()
        .regex(/^apr_[0-9a-z]{26}$/, "must be an approval token (apr_…)")
        .describe("The approval token (apr_…) from list_approvals"),
      decision: z
        .enum(["approve", "reject"])
        .describe("approve lets the action run; reject stops it"),
      comment: z.string().max(500).optional().describe("Why, for the run's log"),
    })
    // Strict: an `args` meant as an edit must not be dropped and the full action approved.
    .strict(),
  roles: approverRoles,
} satisfies ToolSpec;

/** Every tool, in the order they are listed. */
export const toolSpecs = [
  runCommandSpec,
  getRunSpec,
  listRunsSpec,
  getBalanceSpec,
  discoverServicesSpec,
  quoteX402Spec,
  payX402Spec,
  cancelRunSpec,
  listApprovalsSpec,
  decideApprovalSpec,
] as const;

/** The names of the tools. */
export type ToolName = (typeof toolSpecs)[number]["name"];

/** The parsed input of a tool, by spec. */
export type ToolInput<T extends ToolSpec> = z.output<T["inputSchema"]>;
