import { describe, expect, test } from "vitest";
import { resetConfig } from "../../../lib/config.js";
import { ClientError } from "../../../lib/errors/index.js";
import { route } from "../../../lib/http/route.js";
import { allowedOrigin, OPTIONS, preflight, withCors } from "../../../lib/security/cors.js";

const origins = ["https://app.paygent.dev", "http://localhost:5173"];
const request = (headers: Record<string, string>, method = "GET") =>
  new Request("http://localhost/api/runs", { method, headers });

describe("allowedOrigin", () => {
  test("args: exact matches only — no prefix, suffix, scheme or null-origin tricks", () => {
    expect(allowedOrigin(request({ origin: "https://app.paygent.dev" }), { origins })).toBe(
      "https://app.paygent.dev",
    );
    for (const origin of [
      "https://app.paygent.dev.evil.io",
      "https://evil-app.paygent.dev",
      "http://app.paygent.dev",
      "https://app.paygent.dev:444",
      "null",
    ]) {
      expect(allowedOrigin(request({ origin }), { origins }), origin).toBeUndefined();
    }
    expect(allowedOrigin(request({}), { origins })).toBeUndefined();
  });

  test("behavior: an empty list (the default CORS_ORIGINS) allows no cross-origin caller", () => {
    expect(allowedOrigin(request({ origin: "https://app.paygent.dev" }))).toBeUndefined();
  });

  test("behavior: '*' echoes any origin", () => {
    expect(allowedOrigin(request({ origin: "https://x.example" }), { origins: ["*"] })).toBe(
      "https://x.example",
    );
  });
});

describe("preflight", () => {
  test("behavior: an allowed preflight gets 204 with methods, headers and max-age", () => {
    const response = preflight(
      request(
        {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
        "OPTIONS",
      ),
      { origins },
    );
    expect(response?.status).toBe(204);
    expect(response?.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(response?.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response?.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(response?.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("behavior: a disallowed origin gets 204 without any allow header", () => {
    const response = preflight(
      request({ origin: "https://evil.io", "access-control-request-method": "DELETE" }, "OPTIONS"),
      { origins },
    );
    expect(response?.status).toBe(204);
    expect(response?.headers.get("access-control-allow-origin")).toBeNull();
    expect(response?.headers.get("access-control-allow-methods")).toBeNull();
  });

  test("behavior: anything but an OPTIONS preflight is left to the handler", () => {
    expect(preflight(request({ origin: "http://localhost:5173" }), { origins })).toBeUndefined();
    expect(
      preflight(request({ origin: "http://localhost:5173" }, "OPTIONS"), { origins }),
    ).toBeUndefined();
  });
});

describe("withCors", () => {
  test("behavior: allowed origins get allow-origin and exposed headers; status and body are kept", async () => {
    const original = new Response('{"ok":true}', { status: 429, headers: { "retry-after": "3" } });
    const response = withCors(request({ origin: "https://app.paygent.dev" }), original, {
      origins,
    });
    expect(response.status).toBe(429);
    expect(await response.text()).toBe('{"ok":true}');
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.paygent.dev");
    expect(response.headers.get("access-control-expose-headers")).toContain("retry-after");
    expect(response.headers.get("vary")).toContain("Origin");
  });

  test("behavior: other origins get no CORS headers (but Vary, for shared caches)", () => {
    const response = withCors(request({ origin: "https://evil.io" }), new Response("x"), {
      origins,
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("vary")).toBe("Origin");
  });

  test("behavior: works on responses whose headers are immutable (from fetch)", async () => {
    const immutable = Response.redirect("http://x/", 302);
    expect(() => immutable.headers.set("x", "y")).toThrow();
    const response = withCors(request({ origin: "https://app.paygent.dev" }), immutable, {
      origins,
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.paygent.dev");
  });
});

describe("route() + CORS", () => {
  test("behavior: handler and error responses carry CORS headers for allowed origins only", async () => {
    process.env.CORS_ORIGINS = "https://app.paygent.dev";
    resetConfig();
    try {
      const ok = route("/api/x", () => new Response("ok"));
      const failing = route("/api/x", () => {
        throw new ClientError("not_found", "nope");
      });
      const from = (origin?: string) =>
        new Request("http://localhost/api/x", { headers: origin ? { origin } : {} });
      expect(
        (await ok(from("https://app.paygent.dev"))).headers.get("access-control-allow-origin"),
      ).toBe("https://app.paygent.dev");
      const refused = await failing(from("https://app.paygent.dev"));
      expect(refused.status).toBe(404);
      expect(refused.headers.get("access-control-allow-origin")).toBe("https://app.paygent.dev");
      expect(
        (await ok(from("https://evil.io"))).headers.get("access-control-allow-origin"),
      ).toBeNull();
      expect((await ok(from())).headers.get("vary")).toBeNull();
    } finally {
      delete process.env.CORS_ORIGINS;
      resetConfig();
    }
  });

  test("behavior: the OPTIONS export answers preflights from the configured list", async () => {
    process.env.CORS_ORIGINS = "https://app.paygent.dev";
    resetConfig();
    try {
      const response = await OPTIONS(
        request(
          { origin: "https://app.paygent.dev", "access-control-request-method": "POST" },
          "OPTIONS",
        ),
      );
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("https://app.paygent.dev");
      const plain = await OPTIONS(request({}, "OPTIONS"));
      expect(plain.headers.get("allow")).toContain("POST");
    } finally {
      delete process.env.CORS_ORIGINS;
      resetConfig();
    }
  });
});
