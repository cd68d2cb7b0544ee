import { afterEach, describe, expect, test } from "vitest";
import { readBodyCapped } from "../../../lib/security/readBodyCapped.js";
import { type FloodServer, startFloodServer } from "../../helpers/floodServer.js";

const fiftyMegabytes = 50 * 1024 * 1024;
/** What socket buffers on both sides may hold beyond what the client read: far below 50 MB. */
const bufferedAtMost = 16 * 1024 * 1024;

let server: FloodServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("readBodyCapped", () => {
  test("behavior: a 50 MB body is cut at the cap and the transfer stops", async () => {
    server = await startFloodServer({ status: 200, totalBytes: fiftyMegabytes });
    const body = await readBodyCapped(await fetch(server.url), 256 * 1024);
    const flood = await server.nextFlood();
    expect(body.truncated).toBe(true);
    expect(body.text.length).toBe(256 * 1024);
    expect(flood.completed).toBe(false);
    expect(flood.written).toBeLessThan(bufferedAtMost);
  });

  test("behavior: a body within the cap is read whole", async () => {
    server = await startFloodServer({ status: 200, totalBytes: 1000 });
    const body = await readBodyCapped(await fetch(server.url), 1000);
    expect(body).toEqual({ text: "a".repeat(1000), truncated: false });
  });

  test("behavior: a character the cap splits becomes U+FFFD, the rest stays", async () => {
    const body = await readBodyCapped(new Response("ab€"), 3);
    expect(body).toEqual({ text: "ab\uFFFD", truncated: true });
  });
});
