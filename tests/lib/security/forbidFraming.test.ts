import { describe, expect, test } from "vitest";
import { json, route } from "../../../lib/http/index.js";
import { forbidFraming, forbidFramingInPolicy } from "../../../lib/security/forbidFraming.js";

const html = (headers: Record<string, string> = {}) =>
  new Response("<!doctype html><p>desk</p>", {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", ...headers },
  });

describe("forbidFramingInPolicy", () => {
  test("behavior: no policy becomes frame-ancestors 'none'", () => {
    expect(forbidFramingInPolicy(null)).toBe("frame-ancestors 'none'");
    expect(forbidFramingInPolicy("  ")).toBe("frame-ancestors 'none'");
  });

  test("behavior: an existing policy keeps every directive and gains frame-ancestors", () => {
    expect(forbidFramingInPolicy("default-src 'none'; script-src 'self';")).toBe(
      "default-src 'none'; script-src 'self'; frame-ancestors 'none'",
    );
  });

  test("args: a looser frame-ancestors is replaced, not followed by a second one the browser ignores", () => {
    expect(forbidFramingInPolicy("default-src 'self'; frame-ancestors *; img-src data:")).toBe(
      "default-src 'self'; img-src data:; frame-ancestors 'none'",
    );
    expect(forbidFramingInPolicy("FRAME-ANCESTORS https://evil.example")).toBe(
      "frame-ancestors 'none'",
    );
  });

  test("args: each of several comma-separated policies forbids framing", () => {
    expect(forbidFramingInPolicy("default-src 'self', frame-ancestors 'self'; img-src *")).toBe(
      "default-src 'self'; frame-ancestors 'none', img-src *; frame-ancestors 'none'",
    );
  });
});

describe("forbidFraming", () => {
  test("behavior: an HTML response gets both headers; status, body and other headers stay", async () => {
    const response = forbidFraming(
      html({ "content-security-policy": "default-src 'none'", "cache-control": "no-store" }),
    );
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("<!doctype html><p>desk</p>");
  });

  test("behavior: responses that are not HTML are returned untouched", () => {
    for (const response of [json({ ok: true }), new Response(null, { status: 204 })]) {
      expect(forbidFraming(response)).toBe(response);
    }
    const css = new Response("p{}", { headers: { "content-type": "text/css" } });
    expect(forbidFraming(css).headers.get("x-frame-options")).toBeNull();
  });

  test("behavior: an api/ route that answers HTML forbids framing (route() applies it)", async () => {
    const page = route("/api/page", () => html());
    const response = await page(new Request("http://localhost/api/page"));
    expect(response.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    const data = route("/api/data", () => json({ ok: true }));
    const answer = await data(new Request("http://localhost/api/data"));
    expect(answer.headers.get("x-frame-options")).toBeNull();
  });
});
