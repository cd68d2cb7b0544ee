import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Counts of what the proxy did, for assertions. */
export interface RpcFaultStats {
  forwarded: number;
  failed: number;
  dropped: number;
  stalled: number;
}

export interface RpcFaultProxy {
  /** Point the host's RPC_URL here. */
  url: string;
  /** Answer every request with HTTP 503 for `ms` from now. */
  failFor(ms: number): void;
  /** Destroy every request's connection without an answer for `ms` from now. */
  dropFor(ms: number): void;
  /** Hold every request for `ms` from now before forwarding it (a slow or hung node). */
  stallFor(ms: number): void;
  /** Ends every fault at once. */
  heal(): void;
  stats: RpcFaultStats;
  stop(): Promise<void>;
}

/**
 * A JSON-RPC proxy between a host (or a test) and anvil that injects network faults on command:
 * 503 answers, dropped connections and multi-second stalls. Requests outside a fault window are
 * forwarded byte for byte, so the chain itself is untouched.
 */
export async function startRpcFaultProxy(options: { target: string }): Promise<RpcFaultProxy> {
  const target = new URL(options.target);
  let failUntil = 0;
  let dropUntil = 0;
  let stallUntil = 0;
  const stats: RpcFaultStats = { forwarded: 0, failed: 0, dropped: 0, stalled: 0 };
  const sockets = new Set<Socket>();

  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const now = Date.now();
    if (now < dropUntil) {
      stats.dropped++;
      req.socket.destroy();
      return;
    }
    if (now < failUntil) {
      stats.failed++;
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("rpc fault proxy: unavailable");
      return;
    }
    if (now < stallUntil) {
      stats.stalled++;
      await new Promise((resolve) => setTimeout(resolve, stallUntil - now));
      if (req.socket.destroyed) return;
    }
    stats.forwarded++;
    const upstream = await fetch(target, {
      method: req.method ?? "POST",
      headers: { "content-type": req.headers["content-type"] ?? "application/json" },
      ...(req.method === "GET" || req.method === "HEAD" ? {} : { body: new Uint8Array(body) }),
    });
    const text = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "application/json",
    });
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      forward(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) {
          res.writeHead(502);
          res.end();
        } else res.destroy();
      });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    failFor: (ms) => {
      failUntil = Date.now() + ms;
    },
    dropFor: (ms) => {
      dropUntil = Date.now() + ms;
    },
    stallFor: (ms) => {
      stallUntil = Date.now() + ms;
    },
    heal: () => {
      failUntil = 0;
      dropUntil = 0;
      stallUntil = 0;
    },
    stats,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
