import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { FRAME_ANCESTORS_NONE, X_FRAME_OPTIONS } from "../../lib/security/forbidFraming.js";
import { useHostProcess } from "../helpers/useHostProcess.js";

/**
 * Clickjacking: the desk and its approval view (`/#approval=<token>`, the same page: a fragment is
 * never sent) may not be framed by another site. Through a real host, as the browser fetches them;
 * on Vercel the page is a static file, so vercel.json must declare the same headers.
 */
const host = useHostProcess({ database: "postgres" });
const root = path.resolve(import.meta.dirname, "../..");

/** Every path the host answers with HTML: the desk at / and the file itself. */
const htmlPages = ["/", "/index.html"];

describe("HTML pages", () => {
  test.each(htmlPages)("behavior: GET %s forbids framing", async (page) => {
    const response = await fetch(`${host.url}${page}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toBe(FRAME_ANCESTORS_NONE);
    expect(response.headers.get("x-frame-options")).toBe(X_FRAME_OPTIONS);
    // The page's own <meta> policy stays: the header only adds what <meta> cannot say.
    expect(await response.text()).toContain('http-equiv="Content-Security-Policy"');
  });

  test("behavior: HEAD / forbids framing too", async () => {
    const response = await fetch(`${host.url}/`, { method: "HEAD" });
    expect(response.headers.get("content-security-policy")).toBe(FRAME_ANCESTORS_NONE);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  test("behavior: vercel.json sends the same headers with the static page on Vercel", () => {
    const vercelJson = JSON.parse(readFileSync(path.join(root, "vercel.json"), "utf8")) as {
      headers?: { source: string; headers: { key: string; value: string }[] }[];
    };
    for (const page of htmlPages) {
      const rule = vercelJson.headers?.find((r) => r.source === page);
      expect(rule, `vercel.json headers for ${page}`).toBeDefined();
      const headers = new Map(rule!.headers.map((h) => [h.key.toLowerCase(), h.value]));
      expect(headers.get("content-security-policy")).toBe(FRAME_ANCESTORS_NONE);
      expect(headers.get("x-frame-options")).toBe(X_FRAME_OPTIONS);
    }
  });
});
