import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { parseBoundedJson } from "../../http/parseBoundedJson.js";
import { MAX_RESOURCE_BODY_BYTES } from "../../x402/payForResource.js";

/** The x402 `PaymentRequired` object as a paid MCP tool declares it (unvalidated). */
export type DeclaredPaymentRequired = Record<string, unknown> & {
  x402Version: unknown;
  accepts: unknown;
};

/**
 * Finds x402's PaymentRequired in a tool result, in the order the MCP transport spec gives
 * (specs/transports-v2/mcp.md): structuredContent itself, structuredContent["x402/error"].data,
 * then content[0].text as JSON (the object or its x402/error wrapper). Undefined when the result
 * is not a payment request. Only shape is checked here; parsePaymentRequired validates.
 */
export function readPaymentRequired(result: CallToolResult): DeclaredPaymentRequired | undefined {
  if (!result.isError) return undefined;
  const structured = result.structuredContent;
  if (looksLikePaymentRequired(structured)) return structured;
  const wrapped = unwrap(structured);
  if (wrapped) return wrapped;
  const first = result.content?.[0];
  if (first?.type === "text") {
    let parsed: unknown;
    try {
      // As a 402 body is read: at most the resource cap, refused (not a request) when too deep.
      parsed = parseBoundedJson(first.text, { maxBytes: MAX_RESOURCE_BODY_BYTES });
    } catch {
      return undefined;
    }
    if (looksLikePaymentRequired(parsed)) return parsed;
    return unwrap(parsed);
  }
  return undefined;
}

function unwrap(value: unknown): DeclaredPaymentRequired | undefined {
  if (!value || typeof value !== "object") return undefined;
  const error = (value as Record<string, unknown>)["x402/error"];
  if (!error || typeof error !== "object") return undefined;
  const data = (error as Record<string, unknown>).data;
  return looksLikePaymentRequired(data) ? data : undefined;
}

function looksLikePaymentRequired(value: unknown): value is DeclaredPaymentRequired {
  return (
    !!value &&
    typeof value === "object" &&
    "x402Version" in value &&
    Array.isArray((value as { accepts?: unknown }).accepts)
  );
}
