import type { LookupAddress, LookupAllOptions } from "node:dns";
import { createServer, type Server } from "node:http";
import net, { type AddressInfo, type NetConnectOpts } from "node:net";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { resetConfig } from "../../../lib/config.js";
import { quoteMcpTool } from "../../../lib/mcp/client/quoteMcpTool.js";
import { createEndpoint } from "../../../lib/notifications/createEndpoint.js";
import { deliverDueNotifications } from "../../../lib/notifications/deliverDueNotifications.js";
import { emitNotification } from "../../../lib/notifications/emitNotification.js";
import { probePaymentPrice } from "../../../lib/x402/probePaymentPrice.js";
import { quoteResource } from "../../../lib/x402/quoteResource.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

/**
 * DNS rebinding: the SSRF check's lookup (node:dns/promises, mocked here) says "localhost" is a
 * public address, while the system resolver (/etc/hosts, used by a plain fetch) says 127.0.0.1.
 * A path that checks and then fetches by name reaches the local server; a pinned path connects to
 * the address it checked. So that nothing leaves this machine, connections pinned to that public
 * address are diverted to a local stand-in server (see divertPinnedConnections), which answers with
 * a redirect to the internal server.
 */
const rebinding = vi.hoisted(() => ({
  hostname: "localhost",
  /** Public by assertPublicUrl's rules (example.com's old address); never actually contacted. */
  publicAddress: "93.184.216.34",
}));

vi.mock("node:dns/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:dns/promises")>();
  // The SSRF check (and fetchPinned) ask for every address: { all: true, verbatim: true }.
  const lookup = async (hostname: string, options: LookupAllOptions): Promise<LookupAddress[]> =>
    hostname === rebinding.hostname
      ? [{ address: rebinding.publicAddress, family: 4 }]
      : actual.lookup(hostname, options);
  return { ...actual, lookup, default: { ...actual, lookup } };
});

/** A local HTTP server that counts the requests it gets. */
interface CountingServer {
  server: Server;
  port: number;
  requests: string[];
}

async function startCountingServer(
  answer: () => { status: number; headers: Record<string, string> },
): Promise<CountingServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    const { status, headers } = answer();
    response.writeHead(status, { "content-type": "text/plain", ...headers });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

/** The address a socket's own lookup function (fetchPinned's pinned agent) answers for its host. */
function pinnedAddress(options: NetConnectOpts): string | undefined {
  const { lookup, host } = options as { lookup?: unknown; host?: string };
  if (host !== rebinding.hostname || typeof lookup !== "function") return undefined;
  let answer: string | undefined;
  // fetchPinned's lookup answers synchronously with the checked address.
  lookup(host, {}, (_error: unknown, address: unknown) => {
    answer = typeof address === "string" ? address : undefined;
  });
  return answer;
}

/** Sends connections pinned to the fake public address to `standIn` instead of the internet. */
function divertPinnedConnections(standIn: CountingServer): void {
  const connect = net.connect;
  vi.spyOn(net, "connect").mockImplementation(((...args: Parameters<typeof net.connect>) => {
    const [options] = args;
    if (typeof options === "object" && pinnedAddress(options) === rebinding.publicAddress) {
      const { lookup: _pinned, ...rest } = options as NetConnectOpts & { lookup?: unknown };
      return connect({ ...rest, host: "127.0.0.1", port: standIn.port } as NetConnectOpts);
    }
    return connect(...args);
  }) as typeof net.connect);
}

let internal: CountingServer;
let standIn: CountingServer;
let testDb: TestDb;
const saved = { ...process.env };

beforeAll(async () => {
  // On the devnet loopback targets are allowed; on a real network they are not.
  process.env.PAYGENT_NETWORK = "cronos-testnet";
  resetConfig();
  internal = await startCountingServer(() => ({ status: 402, headers: {} }));
  // The "public" host also redirects to the internal one: no path may follow that either.
  standIn = await startCountingServer(() => ({
    status: 307,
    headers: { location: `http://127.0.0.1:${internal.port}/redirected` },
  }));
  divertPinnedConnections(standIn);
  testDb = await createTestDb("pg");
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = saved;
  resetConfig();
  await new Promise((resolve) => internal?.server.close(resolve));
  await new Promise((resolve) => standIn?.server.close(resolve));
  await testDb?.dispose();
});

/** A URL on the local server, named by the host whose checked address is public. */
const rebindingUrl = (path: string) => `http://${rebinding.hostname}:${internal.port}${path}`;

describe("DNS rebinding", () => {
  test("error: the planner's price probe connects to the checked address, not to 127.0.0.1", async () => {
    const reached = internal.requests.length;
    const before = standIn.requests.length;
    await probePaymentPrice({
      url: rebindingUrl("/probe"),
      chainId: 338,
      allowedAssets: [],
      timeoutMs: 5_000,
    }).catch(() => undefined);
    expect(internal.requests.slice(reached)).toEqual([]);
    expect(standIn.requests.slice(before)).toEqual(["GET /probe"]);
  });

  test("error: quote_price on an HTTP resource connects to the checked address, not to 127.0.0.1", async () => {
    const reached = internal.requests.length;
    const before = standIn.requests.length;
    await quoteResource({
      url: rebindingUrl("/quote"),
      chainId: 338,
      allowedAssets: [],
      timeoutMs: 5_000,
    }).catch(() => undefined);
    expect(internal.requests.slice(reached)).toEqual([]);
    expect(standIn.requests.slice(before)).toEqual(["GET /quote"]);
  });

  test("error: quote_price on an MCP tool connects to the checked address, not to 127.0.0.1", async () => {
    const reached = internal.requests.length;
    const before = standIn.requests.length;
    await quoteMcpTool({
      serverUrl: rebindingUrl("/mcp"),
      tool: { name: "weather", arguments: {} },
      chainId: 338,
      allowedAssets: [],
    }).catch(() => undefined);
    expect(internal.requests.slice(reached)).toEqual([]);
    expect(standIn.requests.slice(before)).toContain("POST /mcp");
  });

  test("error: a signed webhook POST connects to the checked address, not to 127.0.0.1", async () => {
    const reached = internal.requests.length;
    const before = standIn.requests.length;
    await createEndpoint(testDb.db, { url: rebindingUrl("/hook"), events: ["run.failed"] });
    await emitNotification(testDb.db, { type: "run.failed", data: { runId: "run_rebind" } });
    const result = await deliverDueNotifications(testDb.db, { timeoutMs: 5_000 });
    expect(result.attempted).toBe(1);
    expect(internal.requests.slice(reached)).toEqual([]);
    expect(standIn.requests.slice(before)).toEqual(["POST /hook"]);
  });
});
