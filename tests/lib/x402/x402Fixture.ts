import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { type Address, createPublicClient, erc20Abi, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createChainContext, resetChainContext } from "../../../lib/chain/clients.js";
import { findToken } from "../../../lib/chain/registry.js";
import { resetConfig } from "../../../lib/config.js";
import type { AllowedAsset } from "../../../lib/x402/selectRequirement.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

type WebHandler = (request: Request) => Promise<Response> | Response;

/** Every request the in-process server saw, to count signatures that left the client. */
export interface SeenRequest {
  method: string;
  path: string;
  paymentHeader: string | null;
  status: number;
}

/** A real devnet + the real api handlers on a local HTTP server, configured like the dev host. */
export interface X402Fixture {
  devnet: TestDevnet;
  baseUrl: string;
  publicClient: PublicClient;
  agent: ReturnType<typeof privateKeyToAccount>;
  usdc: Address;
  allowedAssets: AllowedAsset[];
  seen: SeenRequest[];
  /** Adds (or replaces) a route for the rest of the file. */
  serve(path: string, handler: WebHandler): void;
  usdcBalance(address: Address): Promise<bigint>;
  /** Requests to `path` that carried a payment header. */
  signedRequests(path: string): number;
  stop(): Promise<void>;
}

/**
 * Starts anvil with the fixtures, points configuration at it (PAYGENT_NETWORK=devnet, RPC_URL,
 * X402_FACILITATOR_URL = this server's /api/facilitator, so settlement goes over real HTTP) and
 * serves the demo resource, the facilitator and any extra routes in process.
 */
export async function startX402Fixture(): Promise<X402Fixture> {
  const devnet = await startTestDevnet();
  const routes = new Map<string, WebHandler>();
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    void dispatch(req, res);
  });
  const dispatch = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const handler =
      routes.get(url.pathname) ??
      (url.pathname.startsWith("/api/facilitator/") ? routes.get("/api/facilitator/*") : undefined);
    const request = new Request(url, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      ...(req.method === "GET" || req.method === "HEAD"
        ? {}
        : { body: Readable.toWeb(req) as ReadableStream, duplex: "half" }),
    } as RequestInit);
    const response = handler
      ? await handler(request)
      : new Response(JSON.stringify({ error: "no route" }), { status: 404 });
    seen.push({
      method: req.method ?? "GET",
      path: url.pathname,
      paymentHeader:
        req.headers["payment-signature"]?.toString() ??
        req.headers["x-payment"]?.toString() ??
        null,
      status: response.status,
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  process.env.PAYGENT_NETWORK = "devnet";
  process.env.RPC_URL = devnet.rpcUrl;
  process.env.X402_FACILITATOR_URL = `${baseUrl}/api/facilitator`;
  // Benchmarks and tests send every request from 127.0.0.1 through the public routes.
  process.env.PUBLIC_RATE_LIMIT_PER_MINUTE ??= "1000000";
  delete process.env.X402_MERCHANT_ADDRESS;
  delete process.env.PAYGENT_FAULT;
  resetConfig();
  resetChainContext();

  const facilitator = await import("../../../api/facilitator/[action].js");
  routes.set("/api/facilitator/*", (request) =>
    request.method === "GET" ? facilitator.GET(request) : facilitator.POST(request),
  );
  const marketData = await import("../../../api/demo/market-data.js");
  routes.set("/api/demo/market-data", marketData.GET);

  const usdcToken = findToken("devnet", "USDC");
  if (!usdcToken || usdcToken.address === "native") throw new Error("devnet USDC missing");
  const usdc = usdcToken.address;
  const chain = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl }).chain;
  const publicClient = createPublicClient({
    chain,
    transport: http(devnet.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;

  return {
    devnet,
    baseUrl,
    publicClient,
    agent: privateKeyToAccount(devnet.accounts.agent.privateKey),
    usdc,
    allowedAssets: [{ address: usdc, symbol: "USDC" }],
    seen,
    serve: (path, handler) => routes.set(path, handler),
    usdcBalance: (owner) =>
      publicClient.readContract({
        address: usdc,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [owner],
      }),
    signedRequests: (path) =>
      seen.filter((item) => item.path === path && item.paymentHeader).length,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await devnet.stop();
    },
  };
}
