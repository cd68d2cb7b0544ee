import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer a flood server streamed. */
export interface Flood {
  /** Bytes the server handed to the socket before the client went away (or the body ended). */
  written: number;
  /** The whole body went out: the client read (or buffered) all of it. */
  completed: boolean;
}

/** A local server whose every answer streams `totalBytes`, and what each answer got to write. */
export interface FloodServer {
  url: string;
  /** Resolves with the flood of the next answer, once its connection is done. */
  nextFlood(): Promise<Flood>;
  close(): Promise<void>;
}

const chunk = Buffer.alloc(64 * 1024, "a");

/**
 * Streams `totalBytes` of "a" under the given status and headers, 64 KiB at a time, writing only
 * when the socket drained: `written` then counts what the client took (plus what socket buffers
 * hold), so a client that stops reading stops the count, whatever the timing.
 */
export async function startFloodServer(answer: {
  status: number;
  headers?: Record<string, string>;
  totalBytes: number;
}): Promise<FloodServer> {
  const waiting: ((flood: Flood) => void)[] = [];
  const done: Flood[] = [];
  const server: Server = createServer((_request, response) => {
    const flood: Flood = { written: 0, completed: false };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const waiter = waiting.shift();
      if (waiter) waiter(flood);
      else done.push(flood);
    };
    response.on("close", finish);
    response.writeHead(answer.status, answer.headers ?? {});
    const pump = () => {
      while (flood.written < answer.totalBytes && !response.destroyed) {
        const piece = chunk.subarray(0, Math.min(chunk.length, answer.totalBytes - flood.written));
        flood.written += piece.length;
        if (!response.write(piece)) {
          response.once("drain", pump);
          return;
        }
      }
      if (flood.written >= answer.totalBytes && !response.destroyed) {
        flood.completed = true;
        response.end();
      }
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    nextFlood: () => {
      const ready = done.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
