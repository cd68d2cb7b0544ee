import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Principal } from "../auth/authenticate.js";
import type { Database } from "../db/database.js";
import type { ToolSpec } from "./toolSpecs.js";

/** What a tool handler gets besides its arguments: the caller and the request it came in. */
export interface ToolContext {
  db: Kysely<Database>;
  principal: Principal;
  /** The HTTP request carrying the MCP call (rate limits count per key and per IP). */
  request: Request;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** A tool's answer: structured content for programs, one line for people. */
export interface ToolResult {
  structured: Record<string, unknown>;
  text: string;
}

/** A tool of the MCP server: its declaration (toolSpecs.ts) and the handler that serves it. */
export interface McpTool<S extends z.ZodObject = z.ZodObject> extends ToolSpec<S> {
  handler: (args: z.output<S>, context: ToolContext) => Promise<ToolResult>;
}

/** Attaches a handler to a tool declaration, keeping the argument types. */
export function defineTool<S extends z.ZodObject>(
  spec: ToolSpec<S>,
  handler: McpTool<S>["handler"],
): McpTool<S> {
  return { ...spec, handler };
}
