import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { encodePaymentRequiredHeader } from "@x402/core/http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Cache, createMemoryCache } from "../../../lib/cache/index.js";
import { PricingProbeError, probePricing } from "../../../lib/registry/index.js";

const USDC = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0";
const PAY_TO = "0x1111111111111111111111111111111111111111";

let server: Server;
let baseUrl: string;
const hits: Record<string, number> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === "/v2") {
      const header = encodePaymentRequiredHeader({
        x402Version: 2,
        resource: { url: `${baseUrl}/v2`, description: "market data" },
        accepts: [
          {
            scheme: "exact",
            network: "eip155:1",
            asset: "0x2222222222222222222222222222222222222222",
            amount: "1",
            payTo: PAY_TO,
            maxTimeoutSeconds: 60,
            extra: {},
          },
          {
            scheme: "exact",
            network: "eip155:338",
            asset: USDC,
            amount: "125000",
            payTo: PAY_TO,
            maxTimeoutSeconds: 300,
            extra: { name: "Bridged USDC (Stargate)", version: "1" },
          },
        ],
      });
      res.writeHead(402, { "content-type": "application/json", "payment-required": header });
      res.end("{}");
      return;
    }
    if (path === "/v1") {
      res.writeHead(402, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          x402Version: 1,
          error: "X-PAYMENT header is required",
          accepts: [
            {
              scheme: "exact",
              network: "cronos-testnet",
              maxAmountRequired: "50000",
              resource: `${baseUrl}/v1`,
              description: "weather",
              mimeType: "application/json",
              payTo: PAY_TO,
              maxTimeoutSeconds: 60,
              asset: USDC,
              extra: {},
            },
          ],
        }),
      );
      return;
    }
    if (path === "/garbage") {
      res.writeHead(402, { "payment-required": "not-base64-json!!" });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"free":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

const service = (path: string, amount = "100000") => ({
  id: `svc_${path.slice(1)}`,
  endpoint: `${baseUrl}${path}`,
  price: { amount, asset: USDC.toLowerCase(), network: "eip155:338" },
});

test("behavior: reads the v2 PAYMENT-REQUIRED header, picks the registry's network, caches 60 s", async () => {
  const cache: Cache = createMemoryCache();
  const live = await probePricing(service("/v2"), { cache });
  expect(live).toMatchObject({
    serviceId: "svc_v2",
    x402Version: 2,
    scheme: "exact",
    network: "eip155:338",
    asset: USDC,
    amount: "125000",
    payTo: PAY_TO,
    maxTimeoutSeconds: 300,
    extra: { name: "Bridged USDC (Stargate)", version: "1" },
    matchesRegistry: false,
    cached: false,
  });
  const again = await probePricing(service("/v2"), { cache });
  expect(again).toEqual({ ...live, cached: true });
  expect(hits["/v2"]).toBe(1);
  expect(
    (await probePricing(service("/v2", "125000"), { cache: createMemoryCache() })).matchesRegistry,
  ).toBe(true);
});

test("behavior: reads a v1 JSON body (maxAmountRequired)", async () => {
  const live = await probePricing(service("/v1"), { cache: createMemoryCache() });
  expect(live).toMatchObject({
    x402Version: 1,
    network: "cronos-testnet",
    amount: "50000",
    asset: USDC,
  });
});

test("error: an endpoint that does not answer 402, a malformed header, or nothing at all", async () => {
  const cache = createMemoryCache();
  const free = await probePricing(service("/free"), { cache }).catch((e: unknown) => e);
  expect(free).toBeInstanceOf(PricingProbeError);
  expect((free as PricingProbeError).shortMessage).toBe(
    "Service endpoint answered 200, not 402 Payment Required",
  );
  await expect(probePricing(service("/garbage"), { cache })).rejects.toMatchObject({
    shortMessage: "Malformed PAYMENT-REQUIRED header",
  });
  await expect(
    probePricing(
      { ...service("/x"), endpoint: "http://127.0.0.1:9/closed" },
      { cache, timeoutMs: 2000 },
    ),
  ).rejects.toMatchObject({ shortMessage: "Service endpoint did not answer" });
  // Failures are not cached: the next probe asks again.
  await probePricing(service("/free"), { cache }).catch(() => undefined);
  expect(hits["/free"]).toBe(2);
});
