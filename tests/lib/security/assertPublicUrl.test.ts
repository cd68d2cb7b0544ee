import { describe, expect, test } from "vitest";
import type { ClientError } from "../../../lib/errors/index.js";
import { assertPublicUrl, isNonPublicAddress } from "../../../lib/security/assertPublicUrl.js";

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
});
