import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, ErrorReply, MultiErrorReply, RESP_TYPES } from "redis";

/**
 * A minimal Upstash-REST-compatible server in front of a local Redis, so @upstash/redis and
 * @upstash/ratelimit run for real in tests: POST / (one command), /pipeline, /multi-exec, Bearer
 * auth, base64 replies per the Upstash-Encoding header, errors as {"error": "<redis message>"}.
 * See /work/shared/notes/data-layer.md for the client behaviours this mirrors.
 */

export interface StartUpstashBridgeParameters {
  /** Redis behind the bridge; defaults to REDIS_URL or the local server. */
  redisUrl?: string;
  /** Bearer token clients must send; random when omitted. */
  token?: string;
}

export interface UpstashBridge {
  /** Base URL to give the Upstash client (UPSTASH_REDIS_REST_URL). */
  url: string;
  token: string;
  /** HTTP requests served so far (a pipeline is one): the round trips clients made. */
  readonly requests: number;
  close(): Promise<void>;
}

type Reply = Buffer | string | number | null | Reply[];

/** Redis 7 knows these shebang flags; others (Upstash's allow-key-locking) make it reject the script. */
const knownScriptFlags = new Set([
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
]);

/** Commands that would hold or poison the one shared connection. */
const refused = new Set([
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SELECT",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "MONITOR",
  "QUIT",
  "RESET",
  "AUTH",
  "HELLO",
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BLMOVE",
  "BLMPOP",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
  "WAIT",
]);

const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");

/** Starts the bridge on a random local port. */
export async function startUpstashBridge(
  parameters: StartUpstashBridgeParameters = {},
): Promise<UpstashBridge> {
  const token = parameters.token ?? randomBytes(16).toString("hex");
  const redisUrl = parameters.redisUrl ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  // Buffers keep values binary-exact until we choose how to encode them.
  // RESP2 like Upstash (node-redis 6 defaults to RESP3, whose maps the client would turn into null).
  const redis = createClient({
    url: redisUrl,
    RESP: 2,
    socket: { reconnectStrategy: false },
  }).withTypeMapping({
    [RESP_TYPES.BLOB_STRING]: Buffer,
    [RESP_TYPES.SIMPLE_STRING]: Buffer,
  });
  redis.on("error", () => {});
  await redis.connect();

  /** SHA1 the client computed (script with flags) → SHA1 of the script Redis actually stored. */
  const shaAliases = new Map<string, string>();

  const stripFlags = (script: string): string => {
    const match = /^#!lua(?:[ \t]+flags=([^\r\n]*))?/.exec(script);
    if (!match?.[1]) return script;
    const kept = match[1].split(",").filter((flag) => knownScriptFlags.has(flag.trim()));
    const shebang = kept.length > 0 ? `#!lua flags=${kept.join(",")}` : "#!lua";
    const stripped = shebang + script.slice(match[0].length);
    if (stripped !== script) shaAliases.set(sha1(script), sha1(stripped));
    return stripped;
  };
  const alias = (sha: string): string => shaAliases.get(sha.toLowerCase()) ?? sha;

  /** Rewrites script commands for stock Redis; refuses connection-state commands. */
  const rewrite = (command: string[]): string[] => {
    const name = command[0]?.toUpperCase() ?? "";
    if (refused.has(name)) throw new ErrorReply(`ERR ${name} is not supported by this REST bridge`);
    const args = [...command];
    if ((name === "EVAL" || name === "EVAL_RO") && args[1] !== undefined)
      args[1] = stripFlags(args[1]);
    if ((name === "EVALSHA" || name === "EVALSHA_RO") && args[1] !== undefined)
      args[1] = alias(args[1]);
    const sub = args[1]?.toUpperCase();
    if (name === "SCRIPT" && sub === "LOAD" && args[2] !== undefined) args[2] = stripFlags(args[2]);
    if (name === "SCRIPT" && sub === "EXISTS")
      return [...args.slice(0, 2), ...args.slice(2).map(alias)];
    return args;
  };

  const encode = (reply: Reply, base64: boolean): unknown => {
    if (Array.isArray(reply)) return reply.map((item) => encode(item, base64));
    if (Buffer.isBuffer(reply)) {
      const text = reply.toString("utf8");
      // The client decodes every string except exactly "OK".
      return !base64 || text === "OK" ? text : reply.toString("base64");
    }
    return reply;
  };

  const run = async (command: string[]): Promise<Reply> => {
    const args = rewrite(command);
    const reply = (await redis.sendCommand(args)) as Reply;
    // SCRIPT LOAD answers the SHA of what the client sent, as Upstash would.
    if (args[0]?.toUpperCase() === "SCRIPT" && args[1]?.toUpperCase() === "LOAD" && command[2]) {
      return Buffer.from(sha1(command[2]));
    }
    return reply;
  };

  const toCommand = (value: unknown): string[] => {
    if (!Array.isArray(value) || value.length === 0)
      throw new ErrorReply("ERR command must be a non-empty array");
    return value.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg)));
  };

  let requests = 0;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    requests++;
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${token}`)
      return send(401, { error: "Unauthorized" });
    if (request.method !== "POST") return send(405, { error: "Only POST is supported" });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = new URL(request.url ?? "/", "http://bridge").pathname.replace(/\/+$/, "");
    try {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (path === "" || path === "/")
        return send(200, { result: encode(await run(toCommand(body)), base64) });
      if (!Array.isArray(body)) throw new ErrorReply("ERR expected an array of commands");
      const commands = body.map(toCommand);
      if (path === "/pipeline") {
        // Issued together, node-redis pipelines them on the connection in order.
        const settled = await Promise.allSettled(commands.map(run));
        return send(
          200,
          settled.map((item) =>
            item.status === "fulfilled"
              ? { result: encode(item.value, base64) }
              : { error: (item.reason as Error).message },
          ),
        );
      }
      if (path === "/multi-exec") {
        const multi = redis.multi();
        for (const command of commands) multi.addCommand(rewrite(command));
        let replies: unknown[];
        try {
          replies = await multi.exec();
        } catch (error) {
          if (!(error instanceof MultiErrorReply)) throw error;
          replies = error.replies;
        }
        return send(
          200,
          replies.map((reply) =>
            reply instanceof ErrorReply
              ? { error: reply.message }
              : { result: encode(reply as Reply, base64) },
          ),
        );
      }
      return send(404, { error: `Unknown path ${path}` });
    } catch (error) {
      send(400, { error: error instanceof Error ? error.message : String(error) });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        response.writeHead(500).end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    get requests() {
      return requests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (redis.isOpen) await redis.close();
    },
  };
}
