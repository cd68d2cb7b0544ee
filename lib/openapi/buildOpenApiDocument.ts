import { z } from "zod";
import type { EndpointDeclaration, EndpointRequestHeader } from "../http/endpoint.js";
import { type EndpointAuth, needsApiKey } from "../http/guard.js";
import { type JsonSchema, toJsonSchema, toParameters } from "./toJsonSchema.js";

/** The error body every handler answers with (lib/http/errors.ts). */
const errorBody = z
  .object({
    error: z
      .object({
        code: z.string().describe("Stable machine-readable code, e.g. validation_failed"),
        message: z.string().describe("What went wrong, safe to show"),
        hints: z.array(z.string()).optional().describe("How to fix it"),
        issues: z
          .array(z.object({ path: z.string(), message: z.string() }))
          .optional()
          .describe("Every failed field of a validation error"),
      })
      .strict(),
  })
  .strict();

/** Options of buildOpenApiDocument. */
export interface BuildOpenApiDocumentOptions {
  /** The declarations of every operation (each api/ handler's `.declaration`). */
  endpoints: readonly EndpointDeclaration[];
  /** Server URL to advertise; relative "/" (same origin) when omitted. */
  serverUrl?: string;
  version?: string;
}

/** An OpenAPI 3.1 document (kept loose: it is produced here and only serialized). */
export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Record<string, unknown>>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
  tags: { name: string }[];
};

const errorResponses: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  429: "RateLimited",
  503: "ServiceUnavailable",
};

/** The request headers endpoint() declarations may name, as OpenAPI header parameters. */
const headerParameters: Record<EndpointRequestHeader, Record<string, unknown>> = {
  "Idempotency-Key": {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "Makes retries safe: per API key and operation, kept 24 h; a retry with the same body gets the first answer (Idempotent-Replayed: true), another body 422, a retry while the first is in flight 409",
    // The structured-field form ("…", quoted) is accepted too (lib/idempotency).
    schema: { type: "string", pattern: '^"?[\\w.:-]{1,128}"?$' },
  },
  "Last-Event-ID": {
    name: "Last-Event-ID",
    in: "header",
    required: false,
    description:
      "The id of the last event received; the stream resumes after it (sent by EventSource on reconnect). Absent: the stream starts from the beginning; anything but an event id: 400",
    schema: { type: "string", pattern: "^\\d{1,18}$" },
  },
};

/** What an operation that honours Idempotency-Key may answer because of it. */
const idempotencyResponses: Record<number, string> = {
  409: "the first request with this Idempotency-Key is still in flight (retry after Retry-After)",
  422: "this Idempotency-Key was used with another body (idempotency_conflict)",
};

/**
 * The request headers an operation reads: its declared ones, and Idempotency-Key where endpoint()
 * itself handles the key (`idempotency: true`).
 */
function requestHeadersOf(endpoint: EndpointDeclaration): EndpointRequestHeader[] {
  const headers = new Set<EndpointRequestHeader>(endpoint.requestHeaders ?? []);
  if (endpoint.idempotency) headers.add("Idempotency-Key");
  return [...headers];
}

/** "/api/runs/[id]/events" → "/api/runs/{id}/events". */
export function toOpenApiPath(route: string): string {
  return route.replace(/\[(\w+)\]/g, "{$1}");
}

/**
 * Builds the OpenAPI 3.1 document of the API from the endpoint declarations: the same route, auth,
 * rate limit and zod schemas the handlers run with, so the description cannot drift from what the
 * server does.
 */
export function buildOpenApiDocument(options: BuildOpenApiDocumentOptions): OpenApiDocument {
  const { endpoints } = options;
  const schemas: Record<string, JsonSchema> = { Error: toJsonSchema(errorBody) };
  const paths: OpenApiDocument["paths"] = {};

  for (const endpoint of endpoints) {
    const operation = toOperation(endpoint, schemas);
    const path = toOpenApiPath(endpoint.route);
    paths[path] ??= {};
    const item = paths[path]!;
    const method = endpoint.method.toLowerCase();
    if (item[method]) throw new Error(`Duplicate operation ${endpoint.method} ${endpoint.route}`);
    item[method] = operation;
  }

  const errorResponse = (description: string) => ({
    description,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "Paygent API",
      version: options.version ?? "0.1.0",
      description:
        "Plain-language commands become durable runs that pay x402 resources and swap on VVS (Cronos). " +
        'Amounts in requests are {"amount": "<decimal>", "token": "<symbol or address>"} in whole tokens ' +
        "(never base units, never floats); responses show each amount as {amount, token, baseUnits, decimals, formatted}. " +
        "Errors answer {error: {code, message, hints?, issues?}}: 400 malformed input, 404 unknown, " +
        "409 wrong state, 422 understood but invalid or refused (budget, policy), 503 with " +
        "Retry-After when a dependency is briefly unavailable.",
    },
    servers: [{ url: options.serverUrl ?? "/" }],
    paths,
    components: {
      schemas,
      responses: {
        BadRequest: errorResponse(
          "Invalid path parameter, query or body (code validation_failed or bad_request)",
        ),
        Unauthorized: errorResponse("Missing, malformed, unknown or revoked credentials"),
        Forbidden: errorResponse(
          "The key does not hold a role this operation needs (x-paygent-auth names it)",
        ),
        NotFound: errorResponse("Nothing with this id is visible to the caller"),
        RateLimited: errorResponse("Too many requests; retry after the Retry-After header"),
        PayloadTooLarge: errorResponse("The body is larger than the API accepts"),
        UnsupportedMediaType: errorResponse(
          "The body is not application/json, or is sent with a content-encoding other than identity (gzip, br, …)",
        ),
        ServiceUnavailable: errorResponse(
          "A dependency (database, cache, chain RPC) is briefly unavailable; retry after the Retry-After header",
        ),
      },
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "Authorization: Bearer <API key>. Admin-only operations need a key of scope admin.",
        },
        cronSecret: {
          type: "http",
          scheme: "bearer",
          description: "Authorization: Bearer $CRON_SECRET, sent by Vercel Cron",
        },
        webhookSignature: {
          type: "apiKey",
          in: "header",
          name: "x-paygent-signature",
          description:
            '"v1=" + hex HMAC-SHA256 of "<x-paygent-timestamp>.<raw body>" with WEBHOOK_SECRET; x-paygent-timestamp (unix seconds) and x-paygent-event-id are required too',
        },
        x402Payment: {
          type: "apiKey",
          in: "header",
          name: "PAYMENT-SIGNATURE",
          description:
            "An x402 payment (EIP-3009 authorization) for the terms of the 402 answer's PAYMENT-REQUIRED header",
        },
      },
    },
    tags: [...new Set(endpoints.flatMap((e) => e.tags))].map((name) => ({ name })),
  };
}

function toOperation(
  endpoint: EndpointDeclaration,
  schemas: Record<string, JsonSchema>,
): Record<string, unknown> {
  const parameters = [
    ...(endpoint.params ? toParameters(z.object(endpoint.params), "path") : []),
    ...(endpoint.query ? toParameters(endpoint.query, "query") : []),
    ...requestHeadersOf(endpoint).map((name) => headerParameters[name]),
  ];
  const { success } = endpoint;
  const responses: Record<string, unknown> = {
    [success.status]: {
      description: success.description,
      content: {
        [success.contentType ?? "application/json"]: success.schema
          ? { schema: toJsonSchema(success.schema) }
          : {},
      },
    },
  };
  const refer = (status: number) => {
    responses[status] = { $ref: `#/components/responses/${errorResponses[status]}` };
  };
  const { auth } = endpoint;
  const roles = rolesOf(auth);
  if (parameters.length > 0 || endpoint.body) refer(400);
  if (needsApiKey(auth) || auth === "webhook" || auth === "cron") refer(401);
  if (roles.length > 0) refer(403);
  if (endpoint.params) refer(404);
  if (endpoint.body) {
    refer(413);
    refer(415);
  }
  if (endpoint.rateLimit) refer(429);
  // Every operation reads the database or the cache; their outage is a 503, never a 500.
  refer(503);
  if (auth === "x402") {
    responses[402] = {
      description:
        "Payment required: the PAYMENT-REQUIRED header carries the x402 terms (price, asset, payTo, network)",
    };
  }
  for (const [status, declared] of Object.entries(endpoint.responses ?? {})) {
    if (typeof declared !== "string") {
      responses[status] = {
        description: declared.description,
        content: { "application/json": { schema: toJsonSchema(declared.schema) } },
      };
      continue;
    }
    // 204 has no body by definition (e.g. the SSE stream's reconnect after the end); others are errors.
    responses[status] =
      status === "204"
        ? { description: declared }
        : {
            description: declared,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          };
  }

  if (requestHeadersOf(endpoint).includes("Idempotency-Key")) {
    for (const [status, description] of Object.entries(idempotencyResponses)) {
      const existing = responses[status] as { description?: string } | undefined;
      responses[status] = {
        description: existing?.description
          ? `${existing.description}; or ${description}`
          : description,
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
  }

  let requestBody: Record<string, unknown> | undefined;
  const schema = endpoint.body?.schema;
  if (endpoint.body && schema) {
    const { name } = endpoint.body;
    const converted = toJsonSchema(schema);
    if (schemas[name] && JSON.stringify(schemas[name]) !== JSON.stringify(converted)) {
      throw new Error(`Two different schemas are named ${name}`);
    }
    schemas[name] = converted;
    requestBody = {
      required: true,
      content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } },
    };
  }

  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    ...(endpoint.description ? { description: endpoint.description } : {}),
    tags: [...endpoint.tags],
    security: securityOf(auth),
    "x-paygent-auth": authLabel(auth),
    ...(endpoint.rateLimit ? { "x-paygent-rate-limit": endpoint.rateLimit } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** The roles an auth value requires (none for "any" and the non-key schemes). */
function rolesOf(auth: EndpointAuth): readonly string[] {
  if (!needsApiKey(auth) || auth === "any") return [];
  return typeof auth === "string" ? [auth] : auth;
}

/** How the document names who may call: public, key, a role (or roles), cron, webhook or x402. */
function authLabel(auth: EndpointAuth): string | readonly string[] {
  if (auth === false) return "public";
  if (auth === "any") return "key";
  return auth;
}

function securityOf(auth: EndpointAuth): Record<string, string[]>[] {
  if (auth === false) return [];
  if (auth === "cron") return [{ cronSecret: [] }];
  if (auth === "webhook") return [{ webhookSignature: [] }];
  // The first request goes out without a payment and is answered 402 with the terms.
  if (auth === "x402") return [{}, { x402Payment: [] }];
  return [{ apiKey: [] }];
}
