import { isRpcUnavailable } from "../chain/isRpcUnavailable.js";
import { BaseError, ClientError, type ErrorKind, errorKind } from "../errors/index.js";

/** How a failure is told to a client, over REST (errorResponse) and MCP (toolError) alike. */
export interface PublicFailure {
  /** The kind it is answered as: its own, or transient for an RPC that did not answer. */
  kind: ErrorKind;
  /** What the client may read; an internal or upstream detail never is. */
  message: string;
  /**
   * "client": the caller's own failure (its hints may be shown); "unavailable": a retry may
   * succeed (logged as a warning); "internal": a generic message, details only in the server log.
   */
  source: "client" | "unavailable" | "internal";
}

/**
 * What a client is told when the RPC (or another upstream) did not answer. viem's own message
 * names the RPC URL, which may carry a provider's API key, so it stays in the server log.
 */
export const upstreamUnavailableMessage =
  "An upstream service (such as the chain RPC) did not answer; retry later";

/**
 * The one rule for what a client learns of a failure. An error without a Paygent kind that
 * isRpcUnavailable recognises (viem raises RPC timeouts, network failures and 5xx without one) is
 * transient, as in workflow steps (lib/runs/execute/stepErrors.ts), with a fixed message;
 * anything else fatal, or not Paygent's, is "Internal error".
 */
export function publicFailure(error: unknown): PublicFailure {
  const client = error instanceof ClientError;
  if ((error as { kind?: unknown } | null)?.kind === undefined && isRpcUnavailable(error))
    return { kind: "transient", message: upstreamUnavailableMessage, source: "unavailable" };
  const kind = errorKind(error);
  if (kind === "fatal" && !client) return { kind, message: "Internal error", source: "internal" };
  const message =
    error instanceof BaseError ? error.shortMessage : String((error as Error).message ?? error);
  return { kind, message, source: kind === "transient" && !client ? "unavailable" : "client" };
}
