import { describe, expect, test } from "vitest";
import { storableJson } from "../../../lib/db/storableJson.js";
import { storableText } from "../../../lib/db/storableText.js";

describe("storableText", () => {
  test("NUL becomes U+FFFD, wherever and however often it occurs", () => {
    expect(storableText("\u0000refused\u0000\u0000 now\u0000")).toBe(
      "\uFFFDrefused\uFFFD\uFFFD now\uFFFD",
    );
  });

  test("an unpaired surrogate becomes U+FFFD; a pair, other controls and spaces stay", () => {
    const kept = "tab\there\r\n\u0001\u001f\u007f  é 😀 \uFFFD";
    expect(storableText(kept)).toBe(kept);
    expect(storableText("a\uD83Db")).toBe("a\uFFFDb");
    expect(storableText("a\uDE00b")).toBe("a\uFFFDb");
    expect(storableText("😀".slice(0, 1))).toBe("\uFFFD");
    expect(storableText("\uDE00\uD83D")).toBe("\uFFFD\uFFFD");
  });

  test("the text \\u0000 (a backslash, not a NUL) is content and stays", () => {
    expect(storableText(String.raw`{"a":"\u0000"}`)).toBe(String.raw`{"a":"\u0000"}`);
  });
});

describe("storableJson", () => {
  test("replaces NUL in strings and keys at any depth, leaving everything else as it was", () => {
    const value = {
      "k\u0000": "v\u0000",
      list: [1, null, true, "x\u0000y", { deep: [{ deeper: "\u0000" }] }],
      plain: "plain",
      number: 1.5,
    };
    expect(storableJson(value)).toEqual({
      "k\uFFFD": "v\uFFFD",
      list: [1, null, true, "x\uFFFDy", { deep: [{ deeper: "\uFFFD" }] }],
      plain: "plain",
      number: 1.5,
    });
  });

  test("replaces unpaired surrogates, keeps pairs", () => {
    expect(storableJson({ a: "\uD83D", b: "😀", c: ["\uDE00x"] })).toEqual({
      a: "\uFFFD",
      b: "😀",
      c: ["\uFFFDx"],
    });
  });

  test("escaped backslashes before u0000 are text, not a NUL", () => {
    const value = {
      one: String.raw`\u0000`,
      two: String.raw`\\u0000`,
      mixed: `${String.raw`\\`}\u0000`,
      surrogate: String.raw`\ud800`,
    };
    expect(storableJson(value)).toEqual({ ...value, mixed: `${String.raw`\\`}\uFFFD` });
  });

  test("a value with nothing to replace comes back as the same object", () => {
    const value = { body: "fine", list: ["é", "😀", String.raw`\n`] };
    expect(storableJson(value)).toBe(value);
    expect(storableJson(undefined)).toBeUndefined();
    expect(storableJson(null)).toBeNull();
    expect(storableJson("\u0000")).toBe("\uFFFD");
  });

  test("what it returns serialises exactly as the input did, but for the replaced characters", () => {
    const value = { b: "x\u0000", a: [1e21, -0, "\u2028"], c: "😀\uD83D" };
    expect(JSON.stringify(storableJson(value))).toBe(
      JSON.stringify(value).replace("\\u0000", "\uFFFD").replace("\\ud83d", "\uFFFD"),
    );
  });

  test("reaches a string nested deep inside arrays and objects", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 500; i++) deep = i % 2 ? [deep] : { [`k${i}`]: deep };
    let out = storableJson(deep);
    for (let i = 499; i >= 0; i--)
      out = i % 2 ? (out as unknown[])[0] : (out as Record<string, unknown>)[`k${i}`];
    expect(out).toBe("\uFFFD");
  });
});
