import { type Tool, tool } from "ai";
import {
  cancelRunSpec,
  discoverServicesSpec,
  getBalanceSpec,
  getRunSpec,
  listRunsSpec,
  payX402Spec,
  quoteX402Spec,
  runCommandSpec,
} from "../mcp/toolSpecs.js";
import {
  createPaygentClient,
  type PaygentClient,
  type PaygentClientOptions,
} from "./createPaygentClient.js";
import { PaygentApiError } from "./PaygentApiError.js";

/** What a tool returns when Paygent refused: the model reads it and can explain or adjust. */
export interface PaygentToolError {
  error: { code: string; kind: string; message: string; hints?: string[] };
}

/**
 * Paygent for an app on the ai SDK, in one import: `tools: paygentTools({ baseUrl, apiKey })`.
 * The same tools, names and descriptions as Paygent's MCP server, for an agent key: discovery and
 * quoting are separate from paying, and nothing here limits spending — the key's policy, budgets
 * and approvals in Paygent do, whatever the model asks. Approver tools are deliberately absent: an
 * agent's model never decides approvals.
 */
export function paygentTools(options: PaygentClientOptions & { client?: PaygentClient }) {
  const client = options.client ?? createPaygentClient(options);
  return {
    run_command: tool({
      description: runCommandSpec.description,
      inputSchema: runCommandSpec.inputSchema,
      execute: (input) => answer(() => client.runCommand(input)),
    }),
    get_run: tool({
      description: getRunSpec.description,
      inputSchema: getRunSpec.inputSchema,
      execute: (input) => answer(() => client.getRun(input)),
    }),
    list_runs: tool({
      description: listRunsSpec.description,
      inputSchema: listRunsSpec.inputSchema,
      execute: (input) => answer(() => client.listRuns(input)),
    }),
    get_balance: tool({
      description: getBalanceSpec.description,
      inputSchema: getBalanceSpec.inputSchema,
      execute: (input) => answer(() => client.getBalance(input)),
    }),
    discover_services: tool({
      description: discoverServicesSpec.description,
      inputSchema: discoverServicesSpec.inputSchema,
      execute: (input) => answer(() => client.discoverServices(input)),
    }),
    quote_x402: tool({
      description: quoteX402Spec.description,
      inputSchema: quoteX402Spec.inputSchema,
      execute: (input) => answer(() => client.quoteX402(input)),
    }),
    pay_x402: tool({
      description: payX402Spec.description,
      inputSchema: payX402Spec.inputSchema,
      execute: (input) => answer(() => client.payX402(input)),
    }),
    cancel_run: tool({
      description: cancelRunSpec.description,
      inputSchema: cancelRunSpec.inputSchema,
      execute: (input) => answer(() => client.cancelRun(input)),
    }),
  } satisfies Record<string, Tool>;
}

/** Paygent's refusals become a result the model can read; anything else stays an error. */
async function answer<T>(call: () => Promise<T>): Promise<T | PaygentToolError> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof PaygentApiError)) throw error;
    return {
      error: {
        code: error.code,
        kind: error.kind,
        message: error.shortMessage,
        ...(error.metaMessages?.length ? { hints: error.metaMessages } : {}),
      },
    };
  }
}
