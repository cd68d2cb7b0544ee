import type { McpTool } from "../defineTool.js";
import { cancelRunTool } from "./cancelRun.js";
import { decideApprovalTool } from "./decideApproval.js";
import { discoverServicesTool } from "./discoverServices.js";
import { getBalanceTool } from "./getBalance.js";
import { getRunTool } from "./getRun.js";
import { listApprovalsTool } from "./listApprovals.js";
import { listRunsTool } from "./listRuns.js";
import { payX402Tool } from "./payX402.js";
import { quoteX402Tool } from "./quoteX402.js";
import { runCommandTool } from "./runCommand.js";

/**
 * Every tool of Paygent's MCP server; each key sees the ones its role allows. (The cast widens each
 * tool's argument type to the common one: the server validates arguments with the tool's own
 * schema before its handler runs.)
 */
export const paygentTools: readonly McpTool[] = [
  runCommandTool,
  getRunTool,
  listRunsTool,
  getBalanceTool,
  discoverServicesTool,
  quoteX402Tool,
  payX402Tool,
  cancelRunTool,
  listApprovalsTool,
  decideApprovalTool,
] as unknown as readonly McpTool[];
