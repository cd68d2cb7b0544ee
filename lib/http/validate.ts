import type { z } from "zod";
import { getConfig } from "../config.js";
import { ClientError } from "../errors/index.js";
import { findNulCharacter } from "./findNulCharacter.js";

/** One refused field, as a client sees it. */
interface ClientIssue {
  path: string;
  message: string;
}

/**
 * Client-facing words for zod's default messages, applied per parse so a schema's own message still
 * wins: "is required" rather than "expected string, received undefined", and a number's bounds in
 * plain words ("must be at most 100") rather than "<=100".
 */
function clientMessage(issue: z.core.$ZodRawIssue): string | undefined {
  // A field that is absent, whatever it should have been (a string, one of an enum, a union).
  const absent =
    issue.input === undefined &&
    (issue.code === "invalid_type" ||
      issue.code === "invalid_value" ||
      issue.code === "invalid_union");
  if (absent) return "is required";
  switch (issue.code) {
    case "invalid_type":
      // zod's own words for `?limit=abc` are "expected number, received NaN".
      if (issue.expected === "number") return "must be a number";
      if (issue.expected === "int") return "must be a whole number";
      return undefined;
    case "too_big": {
      const max = String(issue.maximum);
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
      if (issue.origin === "string")
        return issue.exact
          ? `must be exactly ${max} characters`
          : `must be at most ${max} characters`;
      if (issue.origin === "array" || issue.origin === "set")
        return `must have at most ${max} items`;
      return undefined;
    }
    case "too_small": {
      const min = String(issue.minimum);
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return issue.inclusive === false ? `must be more than ${min}` : `must be at least ${min}`;
      if (issue.origin === "string") {
        if (issue.exact) return `must be exactly ${min} characters`;
        return min === "1" ? "must not be empty" : `must be at least ${min} characters`;
      }
      if (issue.origin === "array" || issue.origin === "set")
        return `must have at least ${min} items`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * `.int()` adds a safe-integer range check of its own: for `?limit=1e99` it would lead with
 * "<=9007199254740991". Drop it when the same field has another issue (the route's own bound).
 */
function isSafeIntegerBound(issue: z.core.$ZodIssue): boolean {
  return (
    (issue.code === "too_big" &&
      issue.origin === "int" &&
      issue.maximum === Number.MAX_SAFE_INTEGER) ||
    (issue.code === "too_small" &&
      issue.origin === "int" &&
      issue.minimum === Number.MIN_SAFE_INTEGER)
  );
}

/** zod issues in a compact, client-safe shape. */
function formatIssues(error: z.ZodError): ClientIssue[] {
  const pathOf = (issue: z.core.$ZodIssue): string => issue.path.map(String).join(".") || "(root)";
  const issues = error.issues.filter(
    (issue) =>
      !isSafeIntegerBound(issue) ||
      !error.issues.some((other) => other !== issue && pathOf(other) === pathOf(issue)),
  );
  return issues.map((issue) => ({ path: pathOf(issue), message: issue.message }));
}

function invalid(where: string, issues: ClientIssue[]): ClientError {
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
  const result = schema.safeParse(value, { error: clientMessage });
  if (!result.success) throw invalid(where, formatIssues(result.error));
  return result.data;
}

/**
 * Validates one part of a request (body, query, path): like validate, and first refuses any string
 * (value or key, at any depth) holding U+0000. Postgres text and jsonb cannot store NUL, so such a
 * string would otherwise fail deep inside a query as a 500.
 */
export function validateRequestPart<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const path = findNulCharacter(value);
  if (path) {
    throw invalid(where, [
      { path: path.join(".") || "(root)", message: "must not contain a NUL character" },
    ]);
  }
  return validate(schema, value, where);
}

/** Reads and validates a JSON body, enforcing the size limit and content type. */
export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<z.output<S>> {
  return validateRequestPart(schema, await readJsonBody(request), "body");
}

/**
 * Reads a JSON body as parseJsonBody does (size limit, content type, depth; an empty body reads
 * as `{}`) without validating it: for a caller that answers invalid content in its own protocol
 * (MCP answers JSON-RPC errors and tool results, not Paygent's 400s).
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const limit = getConfig().MAX_BODY_BYTES;
  const contentType = request.headers.get("content-type") ?? "";
  const text = await readBodyText(request, limit);
  if (text.trim() === "") return {};
  if (contentType && !isJsonMediaType(contentType)) {
    throw new ClientError(
      "unsupported_media_type",
      "Request body must be application/json (or application/*+json)",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ClientError("bad_request", "Request body is not valid JSON");
  }
  if (jsonDepth(parsed) > 32)
    throw new ClientError("bad_request", "Request body is nested too deeply");
  return parsed;
}

/** Validates the query string of a request URL. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const params = new URL(request.url).searchParams;
  const object: Record<string, string> = {};
  for (const [key, value] of params) object[key] = value;
  return validateRequestPart(schema, object, "query");
}

/**
 * Reads a request body as text, refusing (413) a declared or actual size above `limit` without
 * buffering more than the limit, and (415) a body sent with a content-encoding other than identity:
 * nothing here decodes one, so gzip bytes (or plain JSON mislabelled gzip) must not pass as text.
 * Shared by JSON bodies and signed webhooks (which need raw bytes).
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const encoding = contentEncodingOf(request);
  if (encoding !== undefined) {
    throw new ClientError(
      "unsupported_media_type",
      `content-encoding ${encoding} is not accepted; send the body unencoded`,
    );
  }
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

/**
 * The request's content-encoding when it is anything but identity (e.g. "gzip", "gzip, br"), else
 * undefined. The header is a list of codings; identity alone (or an empty header) means none.
 */
function contentEncodingOf(request: Request): string | undefined {
  const header = request.headers.get("content-encoding");
  if (header === null) return undefined;
  const codings = header
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "");
  if (codings.every((coding) => coding === "identity")) return undefined;
  // Bounded: the value goes back to the client in the message.
  const named = codings.join(", ");
  return named.length > 100 ? `${named.slice(0, 100)}…` : named;
}

/**
 * application/json or a structured-syntax +json type (RFC 6839, e.g. application/merge-patch+json),
 * with any parameters (charset): a substring test would take application/notjson as JSON.
 */
function isJsonMediaType(header: string): boolean {
  const essence = (header.split(";")[0] ?? "").trim();
  return /^application\/(?:[\w!#$&^.+-]+\+)?json$/i.test(essence);
}

function jsonDepth(value: unknown, depth = 0): number {
  if (depth > 32 || value === null || typeof value !== "object") return depth;
  let max = depth;
  for (const child of Object.values(value)) max = Math.max(max, jsonDepth(child, depth + 1));
  return max;
}
