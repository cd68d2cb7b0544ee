import type { z } from "zod";
import { getConfig } from "../config.js";
import { ClientError } from "../errors/index.js";

/** zod issues in a compact, client-safe shape. */
function formatIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    // zod's own words for `?limit=abc` are "expected number, received NaN".
    message:
      issue.code === "invalid_type" && issue.expected === "number"
        ? "must be a number"
        : issue.message,
  }));
}

function validationError(where: string, error: z.ZodError): ClientError {
  const issues = formatIssues(error);
  const first = issues[0];
  return new ClientError(
    "validation_failed",
    first ? `Invalid ${where}: ${first.path} — ${first.message}` : `Invalid ${where}`,
    { issues },
  );
}

/** Validates a value against a schema, throwing a 400 ClientError that names the field. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where = "input",
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

/** Reads and validates a JSON body, enforcing the size limit and content type. */
export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<z.output<S>> {
  const limit = getConfig().MAX_BODY_BYTES;
  const contentType = request.headers.get("content-type") ?? "";
  const text = await readBodyText(request, limit);
  if (text.trim() === "") return validate(schema, {}, "body");
  if (contentType && !contentType.includes("json")) {
    throw new ClientError("unsupported_media_type", "Request body must be application/json");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ClientError("bad_request", "Request body is not valid JSON");
  }
  if (jsonDepth(parsed) > 32)
    throw new ClientError("bad_request", "Request body is nested too deeply");
  return validate(schema, parsed, "body");
}

/** Validates the query string of a request URL. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const params = new URL(request.url).searchParams;
  const object: Record<string, string> = {};
  for (const [key, value] of params) object[key] = value;
  return validate(schema, object, "query");
}

/**
 * Reads a request body as text, refusing (413) a declared or actual size above `limit` without
 * buffering more than the limit. Shared by JSON bodies and signed webhooks (which need raw bytes).
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit)
    throw new ClientError("payload_too_large", `Request body exceeds ${limit} bytes`);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new ClientError("payload_too_large", `Request body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function jsonDepth(value: unknown, depth = 0): number {
  if (depth > 32 || value === null || typeof value !== "object") return depth;
  let max = depth;
  for (const child of Object.values(value)) max = Math.max(max, jsonDepth(child, depth + 1));
  return max;
}
