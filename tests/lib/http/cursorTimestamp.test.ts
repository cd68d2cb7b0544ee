import { describe, expect, test } from "vitest";
import { z } from "zod";
import { cursorId } from "../../../lib/http/cursorId.js";
import { cursorTimestamp } from "../../../lib/http/cursorTimestamp.js";
import { decodeCursor } from "../../../lib/http/decodeCursor.js";
import { encodeCursor } from "../../../lib/http/encodeCursor.js";

/** Every form here was checked against Postgres: accepted ones cast, refused ones error (or shift). */
describe("cursorTimestamp", () => {
  test.each([
    "2024-01-01 00:00:00+00",
    "2024-01-01 00:00:00.123456+00",
    "2024-01-01T00:00:00Z",
    "2024-01-01 00:00:00+05:30",
    "2024-01-01 00:00:00+0530",
    "2024-01-01 00:00:00-15:59:59",
    "2024-02-29 23:59:59Z",
    "0001-01-01 00:00:00+15",
  ])("behavior: accepts %s (Postgres's text form and ISO 8601)", (text) => {
    expect(cursorTimestamp.safeParse(text).success).toBe(true);
  });

  test.each([
    "not-a-timestamp",
    "2024-99-99T99:99:99Z",
    "2024-13-01T00:00:00Z",
    "2023-02-29 00:00:00Z",
    "2024-01-01 24:00:00Z",
    "2024-01-01 23:59:60Z",
    "2024-01-01 00:00:00+16",
    "2024-01-01 00:00:00+05:60",
    "2024-01-01 00:00:00+05:3000",
    "0000-01-01 00:00:00Z",
    "2024-01-01 00:00:00",
    "2024-01-01 00:00:00.1234567Z",
  ])("error: refuses %s", (text) => {
    expect(cursorTimestamp.safeParse(text).success).toBe(false);
  });
});

describe("decodeCursor", () => {
  const schema = z.tuple([cursorTimestamp, cursorId]);

  test("behavior: what encodeCursor wrote comes back", () => {
    const key = ["2024-01-01 00:00:00.123456+00", "pay_0123abcd"] as const;
    expect(decodeCursor(encodeCursor(key), schema)).toEqual(key);
  });

  test.each([
    ["not base64url JSON", "bm90LWpzb24"],
    ["a NUL in the id", encodeCursor(["2024-01-01T00:00:00Z", "a\u0000"])],
    ["an extra element", encodeCursor(["2024-01-01T00:00:00Z", "a", "b"])],
  ])("error: %s is a 400 naming the cursor", (_, text) => {
    expect(() => decodeCursor(text, schema)).toThrow(
      expect.objectContaining({
        code: "bad_request",
        status: 400,
        message: "Invalid cursor: pass nextCursor from the previous page",
      }),
    );
  });
});
