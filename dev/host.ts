import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { type Duplex, Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { getConfig } from "../lib/config.js";
import { loseQueueMessage } from "../lib/faults/loseQueueMessage.js";
import { errorResponse, json } from "../lib/http/index.js";
import { log } from "../lib/log.js";
import { preflight } from "../lib/security/cors.js";
import { forbidFraming } from "../lib/security/forbidFraming.js";
import {
  isTrustedWorkflowDelivery,
  type WorkflowDeliveryPeer,
} from "../lib/security/isTrustedWorkflowDelivery.js";
import { answerWithinDeadline } from "../lib/world/answerWithinDeadline.js";
import { registerInProcessHandlers } from "../lib/world/registerInProcessHandlers.js";
import { afterRequests, answerFirst } from "../lib/world/requestsFirst.js";
import { type ApiRoute, discoverApiRoutes } from "./routes.js";

type WebHandler = (request: Request) => Promise<Response> | Response;

export interface HostOptions {
  root: string;
  port: number;
  /** Interface to bind (HOST; default 127.0.0.1): anything else exposes the host to the network. */
  host?: string;
  /** Extra work to run every few seconds (the chain watcher, subscription checks). */
  intervals?: { name: string; everyMs: number; run: () => Promise<unknown> }[];
  /** Routes tried before the api/ handlers (the dev-only bench routes); undefined passes on. */
  extraRoutes?: (request: Request) => Promise<Response | undefined>;
  /** Local world: deliver queue messages to the flow/step handlers in-process (no loopback HTTP). */
  directQueue?: boolean;
}

export interface Host {
  url: string;
  close(): Promise<void>;
}

/**
 * The local stand-in for Vercel: serves api/ handlers at their Vercel paths, the Workflow DevKit
 * flow/step/webhook endpoints, and the static page; then starts the workflow world so runs that a
 * crash interrupted resume.
 */
export async function startHost(options: HostOptions): Promise<Host> {
  const { root, port } = options;
  const routes = discoverApiRoutes(root);
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const load = (route: ApiRoute) => {
    let module = modules.get(route.file);
    if (!module) {
      module = import(pathToFileURL(route.file).href) as Promise<Record<string, unknown>>;
      modules.set(route.file, module);
    }
    return module;
  };

  const requireCjs = createRequire(import.meta.url);
  const bundleDir = path.join(root, ".well-known/workflow/v1");
  const flow = requireCjs(path.join(bundleDir, "flow.js")) as { POST: WebHandler };
  const step = requireCjs(path.join(bundleDir, "step.js")) as { POST: WebHandler };
  const { resumeWebhook } = await import("workflow/api");
  const staticFiles = await loadStaticFiles(root);

  // Queue deliveries (over HTTP or in-process) wait while API writes are handled (requestsFirst),
  // and are answered within the step deadline (answerWithinDeadline).
  const deadlineMs = getConfig().STEP_DEADLINE_SECONDS * 1000;
  const deliver = (handler: WebHandler): WebHandler =>
    answerWithinDeadline((request) => afterRequests().then(() => handler(request)), deadlineMs);
  const deliverFlow = deliver(flow.POST);
  const deliverStep = deliver(step.POST);

  const dispatch = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === "/.well-known/workflow/v1/flow") return deliverFlow(request);
    if (pathname === "/.well-known/workflow/v1/step") return deliverStep(request);
    if (!isApiChange(request, pathname)) return answerRequest(request, pathname);
    return answerFirst(() => answerRequest(request, pathname));
  };

  const answerRequest = async (request: Request, pathname: string): Promise<Response> => {
    if (request.method === "OPTIONS" && pathname.startsWith("/api/")) {
      const preflightAnswer = preflight(request);
      if (preflightAnswer) return preflightAnswer;
    }
    const webhook = /^\/\.well-known\/workflow\/v1\/webhook\/([^/]+)$/.exec(pathname);
    if (webhook) return resumeWebhook(decodeURIComponent(webhook[1]!), request);
    if (options.extraRoutes) {
      const extraAnswer = await options.extraRoutes(request);
      if (extraAnswer) return extraAnswer;
    }
    if (pathname.startsWith("/.well-known/oauth-protected-resource")) {
      // RFC 9728 metadata of /api/mcp, as vercel.json rewrites it on Vercel.
      const metadata = routes.find((r) => r.pattern === "/api/oauth-protected-resource");
      if (metadata) return ((await load(metadata)).GET as WebHandler)(request);
    }
    const staticFile = staticFiles.get(pathname === "/" ? "/index.html" : pathname);
    if (staticFile && (request.method === "GET" || request.method === "HEAD")) {
      return forbidFraming(
        new Response(staticFile.body, { headers: { "content-type": staticFile.type } }),
      );
    }
    for (const route of routes) {
      if (!route.match(pathname)) continue;
      const module = await load(route);
      const method = request.method === "HEAD" ? "GET" : request.method;
      const handler = module[method] as WebHandler | undefined;
      if (typeof handler === "function") return handler(request);
      if (method === "OPTIONS" && typeof module.OPTIONS !== "function") {
        return new Response(null, { status: 204, headers: { allow: allowed(module) } });
      }
      return methodNotAllowed(request.method, route, module);
    }
    return json(
      { error: { code: "not_found", message: `No route for ${pathname}` } },
      { status: 404 },
    );
  };

  /** 405 for a method no Web Request can carry (serve), with what the path's route does allow. */
  const refuseMethod = async (method: string, url: string): Promise<Response> => {
    const pathname = new URL(url, "http://127.0.0.1").pathname;
    const route = routes.find((r) => r.match(pathname));
    return methodNotAllowed(method, route, route && (await load(route)));
  };

  const server = createServer((req, res) => {
    // hostile (issue 14): the workflow endpoints run workflows with the input they are given, and
    // the worlds' queues cannot sign their deliveries: serve them to this machine only.
    if (req.url?.startsWith("/.well-known/workflow/") && !isTrustedWorkflowDelivery(peerOf(req))) {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { code: "forbidden", message: "Workflow endpoints are local-only" },
        }),
      );
      return;
    }
    void serve(req, res, port, dispatch, refuseMethod);
  });
  // CONNECT never reaches "request" (Node hands over the socket): answer it the same way.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    // The socket is ours now: a client that resets it must not take the host down.
    socket.on("error", () => socket.destroy());
    void refuseMethod("CONNECT", "/")
      .then(async (response) => {
        const body = await response.text();
        socket.end(
          `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
      })
      .catch(() => socket.destroy());
    req.resume();
  });
  server.keepAliveTimeout = 65_000;
  const bind = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, bind, resolve);
  });
  const url = `http://${urlHost(bind)}:${port}`;

  // Re-enqueue runs that were active when the previous host died (local and Postgres worlds).
  const { getWorld } = await import("workflow/runtime");
  const world = getWorld();
  // The local world's queue lives in this process: deliver to the handlers without HTTP.
  if (options.directQueue !== false) {
    registerInProcessHandlers(world, { flow: deliverFlow, step: deliverStep });
  }
  const fault = getConfig().PAYGENT_FAULT;
  if (fault === "lose-continuation" || fault === "lose-step-job") loseQueueMessage(world, fault);
  await world.start?.();

  const timers = (options.intervals ?? []).map((task) => {
    let busy = false;
    return setInterval(() => {
      if (busy) return;
      busy = true;
      task
        .run()
        .catch((error) => log.warn(`${task.name} failed`, { error }))
        .finally(() => {
          busy = false;
        });
    }, task.everyMs);
  });

  return {
    url,
    async close() {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Requests that queue deliveries wait for (requestsFirst): the API's writes — accepting a command,
 * deciding an approval. Reads, polls and event streams do not hold the runs they look at back.
 */
function isApiChange(request: Request, pathname: string): boolean {
  return pathname.startsWith("/api/") && request.method !== "GET" && request.method !== "HEAD";
}

/** The URL host the host is reachable at: a wildcard bind is reached over loopback. */
export function urlHost(bind: string): string {
  if (bind === "0.0.0.0" || bind === "::" || bind === "localhost") return "127.0.0.1";
  return bind.includes(":") ? `[${bind}]` : bind;
}

function peerOf(req: IncomingMessage): WorkflowDeliveryPeer {
  return {
    remoteAddress: req.socket.remoteAddress,
    localAddress: req.socket.localAddress,
    headers: req.headers,
  };
}

/** The JSON 405 of the host's router: the method, and what the matched route allows. */
function methodNotAllowed(
  method: string,
  route: ApiRoute | undefined,
  module: Record<string, unknown> | undefined,
): Response {
  const where = route ? ` on ${route.pattern}` : "";
  return json(
    { error: { code: "method_not_allowed", message: `${method} is not supported${where}` } },
    { status: 405, headers: module ? { allow: allowed(module) } : undefined },
  );
}

function allowed(module: Record<string, unknown>): string {
  return ["GET", "POST", "PUT", "PATCH", "DELETE"]
    .filter((m) => typeof module[m] === "function")
    .join(", ");
}

const staticTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The files of public/ (one level, as Vercel serves them from .vercel/output/static), by URL path. */
async function loadStaticFiles(root: string): Promise<Map<string, { body: string; type: string }>> {
  const { readdir, readFile } = await import("node:fs/promises");
  const files = new Map<string, { body: string; type: string }>();
  const names = await readdir(path.join(root, "public")).catch(() => [] as string[]);
  for (const name of names) {
    const type = staticTypes[path.extname(name)];
    if (!type) continue;
    files.set(`/${name}`, { body: await readFile(path.join(root, "public", name), "utf8"), type });
  }
  return files;
}

/** Methods the Fetch standard forbids in a Request (CONNECT, TRACE, TRACK). */
const forbiddenMethods = new Set(["CONNECT", "TRACE", "TRACK"]);

/** Node request → Web Request → handler → Node response, streaming the body (SSE needs it). */
async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
  dispatch: (request: Request) => Promise<Response>,
  refuseMethod: (method: string, url: string) => Promise<Response>,
): Promise<void> {
  let request: Request | undefined;
  try {
    // Fetch forbids these methods: `new Request` would throw, and the client would get a 500.
    const method = req.method ?? "GET";
    if (forbiddenMethods.has(method.toUpperCase())) {
      await writeResponse(res, await refuseMethod(method, req.url ?? "/"), false);
      return;
    }
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(key, v);
      else if (value !== undefined) headers.set(key, value);
    }
    // Like a proxy in front of the functions: the peer address, not what the client claims.
    headers.set("x-real-ip", req.socket.remoteAddress ?? "unknown");
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    request = new Request(`http://127.0.0.1:${port}${req.url ?? "/"}`, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
      // @ts-expect-error Node's fetch needs duplex for streaming request bodies
      duplex: hasBody ? "half" : undefined,
    });
    const response = await dispatch(request);
    await writeResponse(res, response, req.method === "HEAD");
  } catch (error) {
    if (!res.headersSent) await writeResponse(res, errorResponse(error, request), false);
    else res.destroy();
  }
}

async function writeResponse(
  res: ServerResponse,
  response: Response,
  headOnly: boolean,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key === "set-cookie") return;
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body || headOnly) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  res.on("close", () => {
    void reader.cancel().catch(() => {});
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}
