import { afterEach, describe, expect, test } from "vitest";
import { CronosFacilitatorClient } from "../../../lib/x402/cronosFacilitator.js";
import { probePaymentPrice } from "../../../lib/x402/probePaymentPrice.js";
import { quoteResource } from "../../../lib/x402/quoteResource.js";
import { refetchContent } from "../../../lib/x402/refetchContent.js";
import { type FloodServer, startFloodServer } from "../../helpers/floodServer.js";

/**
 * Every remote body lib/x402 reads is read up to a cap (readBodyCapped): a server streaming 50 MB
 * gets a few hundred KiB read and its connection closed. Counted as the bytes the server managed
 * to write before the client went away, not by timing.
 */

const fiftyMegabytes = 50 * 1024 * 1024;
/** What socket buffers on both sides may hold beyond what the client read: far below 50 MB. */
const bufferedAtMost = 16 * 1024 * 1024;

let server: FloodServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function expectBounded(): Promise<void> {
  const flood = await server!.nextFlood();
  expect(flood.completed).toBe(false);
  expect(flood.written).toBeLessThan(bufferedAtMost);
}

const quote = (url: string) =>
  quoteResource({ url, chainId: 338, allowedAssets: [], timeoutMs: 30_000 });

describe("remote bodies are read up to a cap", () => {
  test("behavior: a quote of a resource that answers 200 with 50 MB reads none of it", async () => {
    server = await startFloodServer({ status: 200, totalBytes: fiftyMegabytes });
    await expect(quote(`${server.url}/free`)).resolves.toMatchObject({ paymentRequired: false });
    await expectBounded();
  });

  test("error: a quote of a 402 whose body is 50 MB fails as malformed, after 256 KiB", async () => {
    server = await startFloodServer({
      status: 402,
      headers: { "content-type": "application/json" },
      totalBytes: fiftyMegabytes,
    });
    await expect(quote(`${server.url}/huge`)).rejects.toMatchObject({
      name: "X402ProtocolError",
      message: expect.stringContaining("402 body is larger than 256 KiB"),
    });
    await expectBounded();
  });

  test("error: a price probe of a 402 whose body is 50 MB fails as malformed, after 64 KiB", async () => {
    server = await startFloodServer({ status: 402, totalBytes: fiftyMegabytes });
    await expect(
      probePaymentPrice({ url: `${server.url}/huge`, chainId: 338, allowedAssets: [] }),
    ).rejects.toMatchObject({ name: "X402ProtocolError" });
    await expectBounded();
  });

  test("behavior: refetched content of 50 MB is a truncated 64 KiB preview", async () => {
    server = await startFloodServer({ status: 200, totalBytes: fiftyMegabytes });
    const content = await refetchContent({ url: `${server.url}/content`, fetch });
    expect(content).toMatchObject({ status: 200, truncated: true });
    expect(content?.body.length).toBe(64 * 1024);
    await expectBounded();
  });

  test("error: a facilitator answering 50 MB fails instead of buffering it", async () => {
    server = await startFloodServer({ status: 200, totalBytes: fiftyMegabytes });
    const facilitator = new CronosFacilitatorClient({ url: server.url, timeoutMs: 30_000 });
    await expect(facilitator.getSupported()).rejects.toMatchObject({
      name: "X402Error",
      message: expect.stringContaining("more than 1 MiB"),
    });
    await expectBounded();
  });
});
