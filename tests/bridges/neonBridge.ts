import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import { neonConfig } from "@neondatabase/serverless";
import ws, { type RawData, WebSocketServer } from "ws";

/**
 * A WebSocket→TCP bridge (what Neon's proxy does) so @neondatabase/serverless' Pool talks to the
 * local PostgreSQL. Each WebSocket pipes binary frames to one TCP socket named by ?address=host:port.
 */

export interface StartNeonBridgeParameters {
  /** Hosts the bridge may connect to; anything else is refused (it is an open relay otherwise). */
  allowedHosts?: string[];
}

export interface NeonBridge {
  port: number;
  /** Points the Neon driver's global config at this bridge (plain ws, no pipelined password). */
  configureNeon(): void;
  close(): Promise<void>;
}

/** Starts the bridge on a random local port. */
export async function startNeonBridge(
  parameters: StartNeonBridgeParameters = {},
): Promise<NeonBridge> {
  const allowed = new Set(parameters.allowedHosts ?? ["127.0.0.1", "localhost", "::1"]);
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const sockets = new Set<Socket>();

  server.on("connection", (client, request) => {
    const address = new URL(request.url ?? "/", "http://bridge").searchParams.get("address") ?? "";
    const separator = address.lastIndexOf(":");
    const host = address.slice(0, separator).replace(/^\[|\]$/g, "");
    const port = Number(address.slice(separator + 1));
    if (separator < 0 || !allowed.has(host) || !Number.isInteger(port)) {
      client.close(1008, "address not allowed");
      return;
    }
    const socket = connect({ host, port });
    sockets.add(socket);
    // The driver writes its startup message as soon as the WebSocket opens, before TCP connects.
    const pending: Buffer[] = [];
    let connected = false;
    const toBuffer = (data: RawData): Buffer =>
      Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    client.on("message", (data) => {
      const chunk = toBuffer(data);
      if (connected) socket.write(chunk);
      else pending.push(chunk);
    });
    socket.on("connect", () => {
      connected = true;
      for (const chunk of pending.splice(0)) socket.write(chunk);
    });
    socket.on("data", (chunk) => client.send(chunk, { binary: true }));
    socket.on("close", () => {
      sockets.delete(socket);
      client.close();
    });
    socket.on("error", () => client.terminate());
    client.on("close", () => socket.end());
    client.on("error", () => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    configureNeon() {
      neonConfig.webSocketConstructor = ws;
      neonConfig.wsProxy = (host, targetPort) =>
        `127.0.0.1:${port}/v1?address=${host}:${targetPort}`;
      neonConfig.useSecureWebSocket = false;
      // Pipelining the password before the server asks breaks under trust authentication.
      neonConfig.pipelineConnect = false;
    },
    async close() {
      for (const client of server.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
