import { z } from "zod";
import type { Principal } from "../auth/authenticate.js";
import { getConfig } from "../config.js";
import { getDb } from "../db/index.js";
import { ClientError, errorKind, isErrorNamed } from "../errors/index.js";
import { hashRequest } from "../idempotency/hashRequest.js";
import { readIdempotencyKey } from "../idempotency/readIdempotencyKey.js";
import { withIdempotency } from "../idempotency/withIdempotency.js";
import type { RateLimitBucket } from "../security/rateLimit.js";
import { verifyWebhook } from "../security/verifyWebhook.js";
import { authorize, type EndpointAuth, guard, type KeyAuth } from "./guard.js";
import { json } from "./respond.js";
import { type RouteHandler, route as wrapRoute } from "./route.js";
import { parseJsonBody, parseQuery, validateRequestPart } from "./validate.js";

/** HTTP methods an api/ file can export as handlers. */
export type EndpointMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Path parameters: one zod schema per `[name]` segment of the route. */
export type ParamSchemas = Record<string, z.ZodType>;

/** Request headers an operation reads, declared so OpenAPI lists them (lib/openapi). */
export type EndpointRequestHeader = "Idempotency-Key" | "Last-Event-ID";

/** The answer when the handler returns a value instead of a Response. */
export interface EndpointSuccess<S extends z.ZodType | undefined = z.ZodType | undefined> {
  status: number;
  description: string;
  /**
   * Shape of the JSON answer: it types the handler's return value and is published in OpenAPI
   * (tests/api/contract.test.ts checks real answers against it).
   */
  schema?: S;
  /** Content type when the handler answers something other than JSON (SSE, HTML). */
  contentType?: string;
  /** Headers added to the JSON answer, e.g. cache-control. */
  headers?: Record<string, string>;
}

/**
 * Everything about one operation that is not its behaviour: where it lives, who may call it, what
 * it accepts and answers. It drives the guard, the parsing and the OpenAPI document, so each of
 * these is written once.
 */
export interface EndpointDeclaration<
  A extends EndpointAuth = EndpointAuth,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends ParamSchemas | undefined = ParamSchemas | undefined,
  S extends z.ZodType | undefined = z.ZodType | undefined,
> {
  /** The api/ file's route, "/api/runs/[id]" for api/runs/[id].ts (tests/api/openapi.test.ts checks). */
  route: string;
  /** Must equal the name of the export holding the handler. */
  method: EndpointMethod;
  /** Unique, lowerCamelCase. */
  operationId: string;
  summary: string;
  /** Longer prose for the OpenAPI document. */
  description?: string;
  tags: readonly string[];
  /** Who may call (see EndpointAuth). */
  auth: A;
  /** Rate-limit bucket: counted per IP and per presented key before auth (public routes per IP). */
  rateLimit?: RateLimitBucket;
  /**
   * Reads the key's policy and freezes in the statement that authenticates it (principal.controls),
   * for routes that check them before accepting money-moving work: one round trip fewer.
   * "cached": for handlers that accept through startRun, whose insert fails unless the controls
   * are still as read (StaleKeyControlsError); the key's read may then come from this process's
   * cache (no round trip), and a StaleKeyControlsError is answered again on a fresh read. Requests
   * with an Idempotency-Key always read afresh: their replay is answered before any insert.
   */
  keyControls?: boolean | "cached";
  params?: P;
  query?: Q;
  /** The JSON body (or, for webhooks, the signed JSON), published as components.schemas[name]. */
  body?: { name: string; schema: B };
  /** Headers the operation reads beyond auth (documented in OpenAPI). */
  requestHeaders?: readonly EndpointRequestHeader[];
  success: EndpointSuccess<S>;
  /**
   * Outcomes beyond those auth, rate limit and validation imply, e.g. {409: "Already decided"}
   * (an error body), or {description, schema} when the answer is not an error body.
   */
  responses?: Record<number, string | { description: string; schema: z.ZodType }>;
  /** When it returns false the route does not exist in this deployment (404), e.g. devnet-only. */
  enabled?: () => boolean;
  /**
   * Honours an Idempotency-Key header (lib/idempotency): keys are scoped to the caller and this
   * operation, kept 24 h; a retry gets the stored answer with `Idempotent-Replayed: true`, another
   * body under the key 422 idempotency_conflict, a retry while the first is in flight 409.
   * The answer is stored in the database for replay: never declare it where the answer holds a
   * secret (POST /api/keys).
   */
  idempotency?: boolean;
  /**
   * Answers a request without a valid key instead of the default 401, e.g. the MCP endpoint's 401
   * whose WWW-Authenticate points at its RFC 9728 protected-resource document.
   */
  unauthorized?: (request: Request, error: ClientError) => Response | Promise<Response>;
}

/** A verified webhook delivery (auth "webhook"). */
export interface WebhookDelivery {
  eventId: string;
  /**
   * Lets the sender's retry of this delivery through. endpoint() calls it itself when the handler
   * fails with a transient or fatal error; call it for other failures a retry may fix.
   */
  forget: () => Promise<void>;
}

/** What a handler receives: the request and its already-checked parts. */
export interface EndpointInput<
  A extends EndpointAuth,
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends ParamSchemas | undefined,
> {
  request: Request;
  /** The caller's key; present exactly when auth asks for one. */
  principal: A extends KeyAuth ? Principal : undefined;
  params: P extends ParamSchemas ? { [K in keyof P]: z.output<P[K]> } : Record<string, never>;
  query: Q extends z.ZodType ? z.output<Q> : undefined;
  body: B extends z.ZodType ? z.output<B> : undefined;
  webhook: A extends "webhook" ? WebhookDelivery : undefined;
  /** The declared route (x402 paid routes name it to their payment server). */
  route: string;
  /**
   * With `idempotency`: the request's Idempotency-Key, qualified by the operation, for handlers
   * whose own writes de-duplicate on it too (startRun); undefined without a header.
   */
  idempotencyKey: string | undefined;
}

/**
 * A value to answer as JSON with the success status, or a ready Response (SSE, HTML, 402…). With a
 * success schema the value must fit it.
 */
export type EndpointResult<S extends z.ZodType | undefined = undefined> = S extends z.ZodType
  ? z.input<S> | Response
  : unknown;

/** What an api/ file exports: a Web handler that carries its declaration. */
export type Endpoint = RouteHandler & { readonly declaration: EndpointDeclaration };

/**
 * Declares one operation and returns its handler: guard (rate limit per IP → auth → role → rate
 * limit per key; cron secret; webhook signature) → parse path params, query and body with zod →
 * call → answer (the returned value as JSON with `success.status`, or the returned Response) →
 * map any error to its status (lib/http/errors.ts).
 *
 *   export const GET = endpoint(
 *     { route: "/api/runs/[id]", method: "GET", operationId: "getRun", summary: "…",
 *       tags: ["runs"], auth: "any", params: { id: runId },
 *       success: { status: 200, description: "The run" } },
 *     async ({ principal, params }) => getRunView(await getDb(), principal, params.id),
 *   );
 */
export function endpoint<
  const A extends EndpointAuth,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends ParamSchemas | undefined = undefined,
  S extends z.ZodType | undefined = undefined,
>(
  declaration: EndpointDeclaration<A, B, Q, P, S>,
  handler: (input: EndpointInput<A, B, Q, P>) => EndpointResult<S> | Promise<EndpointResult<S>>,
): Endpoint {
  const paramsSchema = declaration.params ? z.object(declaration.params).strict() : undefined;
  const handle = wrapRoute(declaration.route, async (request, { params: rawParams }) => {
    if (declaration.enabled && !declaration.enabled()) {
      throw new ClientError("not_found", `${declaration.route} is not served in this deployment`);
    }
    let principal: Awaited<ReturnType<typeof guard>>;
    const keyControls =
      declaration.keyControls === "cached" && request.headers.has("idempotency-key")
        ? true
        : declaration.keyControls;
    try {
      principal = await guard(request, {
        auth: declaration.auth,
        rateLimit: declaration.rateLimit,
        keyControls,
      });
    } catch (error) {
      const unauthorized = error instanceof ClientError && error.code === "unauthorized";
      if (unauthorized && declaration.unauthorized) return declaration.unauthorized(request, error);
      throw error;
    }
    let webhook: WebhookDelivery | undefined;
    let signedBody: unknown;
    if (declaration.auth === "webhook") {
      const delivery = await verifyWebhook(request, { secret: getConfig().WEBHOOK_SECRET });
      webhook = { eventId: delivery.eventId, forget: delivery.forget };
      signedBody = delivery.body;
    }
    // Path, query and body (signed webhook JSON too) refuse NUL strings here: Postgres would 500.
    const params = paramsSchema ? validateRequestPart(paramsSchema, rawParams, "path") : {};
    const query = declaration.query ? parseQuery(request, declaration.query) : undefined;
    const bodySchema = declaration.body?.schema;
    const body = !bodySchema
      ? undefined
      : webhook
        ? validateRequestPart(bodySchema, signedBody, "body")
        : await parseJsonBody(request, bodySchema);

    const key = declaration.idempotency ? readIdempotencyKey(request) : undefined;
    const call = async (caller: Principal | undefined) =>
      await handler({
        request,
        principal: caller,
        params,
        query,
        body,
        webhook,
        route: declaration.route,
        idempotencyKey: key === undefined ? undefined : `${declaration.operationId}:${key}`,
      } as EndpointInput<A, B, Q, P>);
    const answer = async (): Promise<Response> => {
      let result: EndpointResult<S>;
      try {
        result = await call(principal).catch(async (error: unknown) => {
          // The key's controls changed since they were read, or a refusal was decided on a cached
          // read: nothing was written, so answer again on a fresh read (a second one is a 503).
          if (!isErrorNamed(error, "StaleKeyControlsError") || !principal) throw error;
          return call(await authorize(request, declaration.auth as KeyAuth, true));
        });
      } catch (error) {
        // The event was verified but not acted on for a reason that is not the sender's: let its
        // retry through (never after acting on it — the handler's own work is all or nothing).
        const kind = errorKind(error);
        if (webhook && (kind === "transient" || kind === "fatal")) await webhook.forget();
        throw error;
      }
      if (result instanceof Response) return result;
      return json(result, {
        status: declaration.success.status,
        headers: declaration.success.headers,
      });
    };
    if (key === undefined) return answer();
    return withIdempotency(
      await getDb(),
      {
        principal: (principal as Principal | undefined)?.keyId ?? "anonymous",
        operation: declaration.operationId,
        key,
      },
      hashRequest({ params, query, body }),
      answer,
    );
  });
  return Object.assign(handle, { declaration: declaration as unknown as EndpointDeclaration });
}
