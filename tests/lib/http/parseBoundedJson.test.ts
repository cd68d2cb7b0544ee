import { encodePaymentRequiredHeader } from "@x402/core/http";
import { describe, expect, test } from "vitest";
import { isNestedDeeperThan } from "../../../lib/http/isNestedDeeperThan.js";
import {
  JsonLimitError,
  MAX_REMOTE_JSON_DEPTH,
  parseBoundedJson,
} from "../../../lib/http/parseBoundedJson.js";
import { decodeJsonHeader } from "../../../lib/x402/decodeJsonHeader.js";
import { X402ProtocolError } from "../../../lib/x402/errors.js";

const roomy = { maxBytes: 1024 * 1024 };
const arrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

function refusal(run: () => unknown): JsonLimitError {
  try {
    run();
  } catch (error) {
    if (error instanceof JsonLimitError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("parseBoundedJson", () => {
  test("behavior: nesting at the limit parses; one level more is refused before parsing", () => {
    expect(MAX_REMOTE_JSON_DEPTH).toBe(64);
    for (const nested of [arrays, objects]) {
      expect(parseBoundedJson(nested(64), roomy)).toEqual(JSON.parse(nested(64)));
      const error = refusal(() => parseBoundedJson(nested(65), roomy));
      expect(error).toMatchObject({ kind: "invalid", limit: "depth" });
      expect(error.shortMessage).toBe("JSON is nested deeper than 64 levels");
    }
    expect(parseBoundedJson(arrays(3), { ...roomy, maxDepth: 3 })).toEqual([[[]]]);
    expect(refusal(() => parseBoundedJson(arrays(4), { ...roomy, maxDepth: 3 })).limit).toBe(
      "depth",
    );
  });

  test("behavior: depth is the deepest point, not the count of containers", () => {
    const wide = `[${Array.from({ length: 500 }, () => arrays(60)).join(",")}]`;
    expect((parseBoundedJson(wide, roomy) as unknown[]).length).toBe(500);
    expect(parseBoundedJson('{"a":[{"b":[]}],"c":{"d":{}}}', { ...roomy, maxDepth: 4 })).toEqual({
      a: [{ b: [] }],
      c: { d: {} },
    });
  });

  test("behavior: brackets inside strings and escaped quotes do not count", () => {
    const inString = JSON.stringify({ text: "[".repeat(1000) + "{".repeat(1000) });
    expect(parseBoundedJson(inString, { ...roomy, maxDepth: 1 })).toEqual(JSON.parse(inString));
    // An escaped quote does not end the string, so the brackets after it are still text...
    const escaped = JSON.stringify({ text: `a\\"${"[".repeat(100)}"\\\\` });
    expect(parseBoundedJson(escaped, { ...roomy, maxDepth: 1 })).toEqual(JSON.parse(escaped));
    // ...and an escaped backslash before a quote does end it: what follows is structure.
    const afterBackslash = `["\\\\",${arrays(3)}]`;
    expect(parseBoundedJson(afterBackslash, { ...roomy, maxDepth: 4 })).toEqual(["\\", [[[]]]]);
    expect(refusal(() => parseBoundedJson(afterBackslash, { ...roomy, maxDepth: 3 })).limit).toBe(
      "depth",
    );
    // Keys are strings too.
    expect(parseBoundedJson('{"[[[{{{":1}', { ...roomy, maxDepth: 1 })).toEqual({ "[[[{{{": 1 });
  });

  test("behavior: a document 10,000 levels deep is refused without JSON.parse building it", () => {
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = (...args: Parameters<typeof JSON.parse>) => {
      parsed++;
      return parse(...args);
    };
    try {
      expect(refusal(() => parseBoundedJson(arrays(10_000), roomy)).limit).toBe("depth");
      expect(refusal(() => parseBoundedJson(objects(10_000), roomy)).limit).toBe("depth");
    } finally {
      JSON.parse = parse;
    }
    expect(parsed).toBe(0);
  });

  test("behavior: text above the byte limit is refused; UTF-8 bytes count, not characters", () => {
    const text = JSON.stringify({ data: "x".repeat(100) });
    expect(parseBoundedJson(text, { maxBytes: text.length })).toEqual(JSON.parse(text));
    const error = refusal(() => parseBoundedJson(text, { maxBytes: text.length - 1 }));
    expect(error).toMatchObject({ kind: "invalid", limit: "bytes" });
    const wide = JSON.stringify("é".repeat(10)); // 12 characters, 22 bytes
    expect(parseBoundedJson(wide, { maxBytes: 22 })).toBe("é".repeat(10));
    expect(refusal(() => parseBoundedJson(wide, { maxBytes: 21 })).limit).toBe("bytes");
  });

  test("error: invalid JSON within the limits is JSON.parse's SyntaxError, as before", () => {
    expect(() => parseBoundedJson("{not json", roomy)).toThrow(SyntaxError);
    expect(() => parseBoundedJson("]]]][[[[", roomy)).toThrow(SyntaxError);
    expect(() => parseBoundedJson('"unterminated [[[', roomy)).toThrow(SyntaxError);
  });
});

describe("isNestedDeeperThan", () => {
  test("behavior: counts parsed arrays and objects as parseBoundedJson counts text", () => {
    expect(isNestedDeeperThan(JSON.parse(arrays(64)), 64)).toBe(false);
    expect(isNestedDeeperThan(JSON.parse(arrays(65)), 64)).toBe(true);
    expect(isNestedDeeperThan(JSON.parse(objects(64)), 64)).toBe(false);
    expect(isNestedDeeperThan(JSON.parse(objects(65)), 64)).toBe(true);
    expect(isNestedDeeperThan({ text: "[".repeat(1000) }, 1)).toBe(false);
    expect(isNestedDeeperThan("plain", 0)).toBe(false);
    expect(isNestedDeeperThan(JSON.parse(arrays(100_000)), 64)).toBe(true);
  });
});

describe("decodeJsonHeader", () => {
  test("behavior: decodes an x402 header as @x402/core/http does", () => {
    const required = {
      x402Version: 2,
      resource: { url: "https://example.com/é" },
      accepts: [{ scheme: "exact", extra: { note: "[{ not structure" } }],
    };
    expect(
      decodeJsonHeader(encodePaymentRequiredHeader(required as never), "PAYMENT-REQUIRED"),
    ).toEqual(required);
  });

  test("error: malformed, too deep or too large headers are x402 protocol errors", () => {
    const base64 = (text: string) => Buffer.from(text).toString("base64");
    const cases: [string, string][] = [
      ["not base64!", "PAYMENT-RESPONSE header is not base64-encoded JSON"],
      [base64("{not json"), "PAYMENT-RESPONSE header is not base64-encoded JSON"],
      [base64(arrays(65)), "PAYMENT-RESPONSE header: JSON is nested deeper than 64 levels"],
      [base64(arrays(10_000)), "PAYMENT-RESPONSE header: JSON is nested deeper than 64 levels"],
      [
        base64(JSON.stringify("x".repeat(64 * 1024))),
        `PAYMENT-RESPONSE header: JSON is larger than ${64 * 1024} bytes`,
      ],
    ];
    for (const [header, reason] of cases) {
      expect(() => decodeJsonHeader(header, "PAYMENT-RESPONSE")).toThrow(X402ProtocolError);
      expect(() => decodeJsonHeader(header, "PAYMENT-RESPONSE")).toThrow(
        `Malformed x402 response: ${reason}`,
      );
    }
  });
});
