import { ClientError } from "../errors/index.js";
import { withCors } from "../security/cors.js";
import { forbidFraming } from "../security/forbidFraming.js";
import { errorResponse } from "./errors.js";

/** Path parameters taken from `[name]` segments of the route's file path. */
export interface RouteContext {
  params: Record<string, string>;
}

/** A Web-standard handler, the signature Vercel's Node runtime accepts for named method exports. */
export type Handler = (request: Request, context: RouteContext) => Promise<Response> | Response;

/** What api/ files export per method. */
export type RouteHandler = (request: Request) => Promise<Response>;

/**
 * Wraps a handler so every thrown error becomes a well-formed response (see errorResponse), and
 * extracts path parameters by matching the request path against `pattern` (the file's route,
 * e.g. "/api/runs/[id]"). Matching the URL ourselves behaves the same on Vercel and the dev host.
 * Responses to cross-origin requests get CORS headers for allowed origins (lib/security/cors.ts);
 * HTML responses may not be framed (lib/security/forbidFraming.ts).
 */
export function route(pattern: string, handler: Handler): RouteHandler {
  const matcher = compilePattern(pattern);
  return async (request) => {
    let response: Response;
    try {
      const pathname = new URL(request.url).pathname;
      const params = matcher(pathname) ?? {};
      response = await handler(request, { params });
    } catch (error) {
      response = errorResponse(error, request);
    }
    // An HTML answer must not be framed by another site (clickjacking; lib/security/forbidFraming).
    response = forbidFraming(response);
    // Browsers send Origin on cross-origin calls; only those need CORS headers (CORS_ORIGINS).
    return request.headers.has("origin") ? withCors(request, response) : response;
  };
}

/** Compiles "/api/runs/[id]/events" into a function returning {id} for a matching path. */
export function compilePattern(
  pattern: string,
): (pathname: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = pattern
    .split("/")
    .map((segment) => {
      const match = /^\[(\w+)\]$/.exec(segment);
      if (!match) return segment.replace(/[.*+?^${}()|\\]/g, "\\$&");
      names.push(match[1]!);
      return "([^/]+)";
    })
    .join("/");
  const regex = new RegExp(`^${source}/?$`);
  return (pathname) => {
    const match = regex.exec(pathname);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(match[i + 1]!);
      } catch {
        // A malformed escape ("%E0%A4%A") is the client's mistake, not a 500.
        throw new ClientError("bad_request", `Malformed path parameter ${name}`);
      }
    });
    return params;
  };
}
