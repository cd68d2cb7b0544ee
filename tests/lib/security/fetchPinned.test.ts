import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ClientError } from "../../../lib/errors/index.js";
import type { ResolvedAddress } from "../../../lib/security/assertPublicUrl.js";
import {
  createPinnedFetch,
  fetchPinned,
  RedirectRefusedError,
} from "../../../lib/security/fetchPinned.js";

let server: Server;
let other: Server;
let port: number;
let otherPort: number;
const seen: string[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<[Server, number]> {
  const s = createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  return [s, typeof address === "object" && address ? address.port : 0];
}

beforeAll(async () => {
  [server, port] = await listen((req, res) => {
    seen.push(`${req.headers.host} ${req.url}`);
    const redirect = /^\/redirect\?to=(.+)$/.exec(req.url ?? "");
    if (redirect) {
      res.writeHead(302, { location: decodeURIComponent(redirect[1]!) });
      return res.end();
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`hello from ${req.url}`);
  });
  [other, otherPort] = await listen((_req, res) => {
    res.writeHead(200);
    res.end("other origin");
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => other.close(resolve));
});

/** A resolver that answers `answers` for every name (and counts the lookups). */
function resolver(answers: ResolvedAddress[]) {
  const calls: string[] = [];
  return {
    calls,
    lookup: async (hostname: string) => {
      calls.push(hostname);
      return answers;
    },
  };
}

describe("fetchPinned", () => {
  test("behavior: connects to the checked address, whatever the host name (no second lookup)", async () => {
    // "pinned.invalid" does not exist in any DNS: only the pinned address can have been used.
    const dns = resolver([{ address: "127.0.0.1", family: 4 }]);
    const response = await fetchPinned(
      `http://pinned.invalid:${port}/data`,
      {},
      {
        allowLoopback: true,
        lookup: dns.lookup,
      },
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("hello from /data");
    expect(dns.calls).toEqual(["pinned.invalid"]);
    expect(seen.at(-1)).toBe(`pinned.invalid:${port} /data`);
  });

  test("error: a name that resolves to a private, metadata or transition-form address is refused before connecting", async () => {
    for (const address of [
      "10.1.2.3",
      "169.254.169.254",
      "::ffff:7f00:1",
      "64:ff9b::a00:1",
      "2002:a00:1::1",
      "2001::1",
    ]) {
      const family = address.includes(":") ? 6 : 4;
      const error = await fetchPinned(
        "http://rebind.invalid/",
        {},
        {
          allowLoopback: false,
          lookup: resolver([{ address, family }]).lookup,
        },
      ).catch((e: ClientError) => e);
      expect((error as ClientError).code, address).toBe("forbidden");
    }
    // One bad answer among good ones is enough to refuse (DNS may rotate).
    const mixed = await fetchPinned(
      "http://mixed.invalid/",
      {},
      {
        allowLoopback: false,
        lookup: resolver([
          { address: "93.184.216.34", family: 4 },
          { address: "10.0.0.1", family: 4 },
        ]).lookup,
      },
    ).catch((e: ClientError) => e);
    expect((mixed as ClientError).code).toBe("forbidden");
  });

  test("behavior: same-origin redirects are followed, other origins refused; 'error' refuses all", async () => {
    const base = `http://127.0.0.1:${port}`;
    const same = await fetchPinned(
      `${base}/redirect?to=${encodeURIComponent("/final")}`,
      {},
      {
        redirect: "same-origin",
        allowLoopback: true,
      },
    );
    expect(await same.text()).toBe("hello from /final");

    const cross = await fetchPinned(
      `${base}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${otherPort}/`)}`,
      {},
      { redirect: "same-origin", allowLoopback: true },
    ).catch((e: unknown) => e);
    expect(cross).toBeInstanceOf(RedirectRefusedError);
    expect((cross as RedirectRefusedError).location).toBe(`http://127.0.0.1:${otherPort}/`);

    const none = await fetchPinned(
      `${base}/redirect?to=%2Ffinal`,
      {},
      {
        redirect: "error",
        allowLoopback: true,
      },
    ).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(RedirectRefusedError);

    const manual = await fetchPinned(
      `${base}/redirect?to=%2Ffinal`,
      {},
      {
        redirect: "manual",
        allowLoopback: true,
      },
    );
    expect(manual.status).toBe(302);
  });

  test("behavior: createPinnedFetch resolves a host once for its lifetime (the paid request goes where the 402 came from)", async () => {
    let answer: ResolvedAddress = { address: "127.0.0.1", family: 4 };
    const calls: string[] = [];
    const pinned = createPinnedFetch({
      redirect: "manual",
      allowLoopback: true,
      lookup: async (hostname) => {
        calls.push(hostname);
        return [answer];
      },
    });
    expect((await pinned(`http://twice.invalid:${port}/a`)).status).toBe(200);
    // A rebinding DNS now points elsewhere; the function keeps the address it checked.
    answer = { address: "10.0.0.9", family: 4 };
    const second = await pinned(`http://twice.invalid:${port}/b`, { headers: { "x-test": "1" } });
    expect(await second.text()).toBe("hello from /b");
    expect(calls).toEqual(["twice.invalid"]);
  });
});
