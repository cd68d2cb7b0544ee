import { describe, expect, test } from "vitest";
import type { ClientError } from "../../../lib/errors/index.js";
import {
  assertPublicUrl,
  embeddedIpv4,
  isNonPublicAddress,
} from "../../../lib/security/assertPublicUrl.js";

async function outcome(url: string, allowPrivate = false): Promise<string> {
  return assertPublicUrl(url, { allowPrivate }).then(
    (parsed) => `ok ${parsed.hostname}`,
    (error: ClientError) => error.code,
  );
}

describe("assertPublicUrl", () => {
  test("error: loopback, private, metadata and reserved targets are forbidden, however written", async () => {
    for (const url of [
      "http://127.0.0.1:5432/",
      "http://localhost:6379/",
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.8/",
      "http://192.168.1.1/",
      "http://172.20.0.1/",
      "http://100.64.0.1/",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://0x7f000001/",
      "http://2130706433/",
      "http://127.1/",
    ]) {
      expect(await outcome(url), url).toBe("forbidden");
    }
  });

  test("error: other schemes, credentials and garbage are validation failures", async () => {
    for (const url of [
      "file:///etc/passwd",
      "gopher://x/",
      "ftp://1.1.1.1/",
      "https://user:pw@1.1.1.1/",
      "not a url",
    ]) {
      expect(await outcome(url), url).toBe("validation_failed");
    }
  });

  test("behavior: public addresses pass and are returned parsed", async () => {
    expect(await outcome("https://1.1.1.1/x402/resource?q=1")).toBe("ok 1.1.1.1");
    expect(await outcome("http://[2606:4700:4700::1111]/")).toBe("ok [2606:4700:4700::1111]");
  });

  test("behavior: allowPrivate (the devnet default) lets local demo services through", async () => {
    expect(await outcome("http://127.0.0.1:3000/api/demo/market-data", true)).toBe("ok 127.0.0.1");
    expect(await outcome("file:///etc/passwd", true)).toBe("validation_failed");
  });

  test("args: isNonPublicAddress on edge addresses", () => {
    expect(isNonPublicAddress("8.8.8.8")).toBe(false);
    expect(isNonPublicAddress("172.32.0.1")).toBe(false);
    expect(isNonPublicAddress("172.31.255.255")).toBe(true);
    expect(isNonPublicAddress("::ffff:10.1.2.3")).toBe(true);
    expect(isNonPublicAddress("not-an-ip")).toBe(true);
  });

  test("args: IPv6 transition forms are as public as the IPv4 address they carry", () => {
    const privateForms = [
      "::ffff:127.0.0.1",
      "::ffff:7f00:1", // the same, as WHATWG URL prints it
      "::ffff:0:a00:1", // SIIT ::ffff:0:0:0/96
      "::a00:1", // deprecated IPv4-compatible
      "64:ff9b::a9fe:a9fe", // NAT64 → 169.254.169.254
      "64:ff9b::10.0.0.1",
      "2002:c0a8:101::1", // 6to4 → 192.168.1.1
      "64:ff9b:1::8.8.8.8", // local-use NAT64: never public
      "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
      "fec0::1",
      "fe80::1%eth0",
    ];
    for (const address of privateForms) expect(isNonPublicAddress(address), address).toBe(true);
    for (const address of [
      "64:ff9b::808:808",
      "2002:808:808::1",
      "::ffff:8.8.8.8",
      "2606:4700::1111",
    ]) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
    expect(embeddedIpv4("64:ff9b::a9fe:a9fe")).toBe("169.254.169.254");
    expect(embeddedIpv4("2002:c0a8:101::1")).toBe("192.168.1.1");
    expect(embeddedIpv4("2606:4700::1111")).toBeUndefined();
  });

  test("error: URLs written with transition forms are forbidden", async () => {
    for (const url of [
      "http://[::ffff:169.254.169.254]/",
      "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
      "http://[2002:a9fe:a9fe::]/",
      "http://[2001::1]/",
    ]) {
      expect(await outcome(url), url).toBe("forbidden");
    }
  });

  test("behavior: loopback-only allowance (the devnet default) still refuses private and metadata ranges", async () => {
    const loopbackOnly = (url: string) =>
      assertPublicUrl(url, { allowLoopback: true }).then(
        (parsed) => `ok ${parsed.hostname}`,
        (error: ClientError) => error.code,
      );
    expect(await loopbackOnly("http://127.0.0.1:3000/api/demo/market-data")).toBe("ok 127.0.0.1");
    expect(await loopbackOnly("http://[::1]:3000/")).toBe("ok [::1]");
    for (const url of ["http://10.0.0.8/", "http://169.254.169.254/", "http://192.168.1.1/"]) {
      expect(await loopbackOnly(url), url).toBe("forbidden");
    }
  });
});
