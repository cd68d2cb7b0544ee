import { describe, expect, test } from "vitest";
import { z } from "zod";
import { recipientAddress } from "../../../lib/actions/fields.js";
import { ClientError } from "../../../lib/errors/index.js";
import { readIdCursor } from "../../../lib/http/readIdCursor.js";
import {
  parseJsonBody,
  parseQuery,
  validate,
  validateRequestPart,
} from "../../../lib/http/validate.js";
import { paymentWebhookEvent } from "../../../lib/x402/schemas.js";

/** The ClientError a call throws (fails the test when it throws nothing or something else). */
async function refusal(call: () => unknown): Promise<ClientError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw error;
  }
  throw new Error("expected a ClientError");
}

function post(body: string, contentType = "application/json"): Request {
  return new Request("http://localhost/api/things", {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
}

const bodySchema = z
  .object({
    name: z.string().max(200),
    meta: z.record(z.string(), z.unknown()).optional(),
    items: z.array(z.object({ note: z.string() })).optional(),
  })
  .strict();

const listQuery = z
  .object({
    q: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();

describe("NUL characters are refused at the edge (Postgres cannot store them)", () => {
  test("behavior: a NUL in a body string, at any depth, is a 400 naming the field", async () => {
    const cases: [string, string][] = [
      ['{"name":"Q\\u0000"}', "name"],
      ['{"name":"ok","meta":{"deep":{"deeper":["a","b\\u0000"]}}}', "meta.deep.deeper.1"],
      ['{"name":"ok","items":[{"note":"fine"},{"note":"\\u0000"}]}', "items.1.note"],
      ['{"name":"ok","meta":{"a\\u0000b":1}}', "meta.a\\u0000b"],
    ];
    for (const [body, path] of cases) {
      const error = await refusal(() => parseJsonBody(post(body), bodySchema));
      expect(error.status, body).toBe(400);
      expect(error.code).toBe("validation_failed");
      expect(error.message).toBe(`Invalid body: ${path} — must not contain a NUL character`);
      expect(error.issues).toEqual([{ path, message: "must not contain a NUL character" }]);
    }
  });

  test("behavior: a NUL in a query value (%00) or name is a 400 naming the parameter", async () => {
    for (const [search, path] of [
      ["?cursor=%00", "cursor"],
      ["?q=abc%00def", "q"],
      ["?x%00=1", "x\\u0000"],
    ] as const) {
      const request = new Request(`http://localhost/api/things${search}`);
      const error = await refusal(() => parseQuery(request, listQuery));
      expect(error.status, search).toBe(400);
      expect(error.message).toBe(`Invalid query: ${path} — must not contain a NUL character`);
    }
  });

  test("behavior: parts read some other way (signed webhook JSON, path) are checked the same", async () => {
    const error = await refusal(() =>
      validateRequestPart(bodySchema, JSON.parse('{"name":"x\\u0000"}'), "body"),
    );
    expect(error.message).toBe("Invalid body: name — must not contain a NUL character");
    // Deep nesting (a webhook body has no depth limit) neither overflows the stack nor hides a NUL.
    let deep: unknown = "\u0000";
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const deepError = await refusal(() => validateRequestPart(z.unknown(), deep, "body"));
    expect(deepError.message).toMatch(
      /^Invalid body: 0\.0\.0.* — must not contain a NUL character$/,
    );
  });

  test("behavior: strings without NUL pass (other control characters and unicode are fine)", async () => {
    const body = '{"name":"tab\\there é ✓ \\u0001","meta":{"k":"v"}}';
    await expect(parseJsonBody(post(body), bodySchema)).resolves.toEqual({
      name: "tab\there é ✓ \u0001",
      meta: { k: "v" },
    });
  });
});

describe("content type: only JSON media types", () => {
  test("behavior: application/json and application/*+json, with parameters, are read as JSON", async () => {
    for (const type of [
      "application/json",
      "application/json; charset=utf-8",
      "Application/JSON;charset=UTF-8",
      "application/merge-patch+json",
      "application/vnd.api+json; charset=utf-8",
    ]) {
      await expect(parseJsonBody(post('{"name":"a"}', type), bodySchema), type).resolves.toEqual({
        name: "a",
      });
    }
  });

  test("behavior: look-alikes and other types are 415", async () => {
    for (const type of [
      "application/notjson",
      "application/jsonx",
      "text/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=json",
      "application/+json",
    ]) {
      const error = await refusal(() => parseJsonBody(post('{"name":"a"}', type), bodySchema));
      expect(error.status, type).toBe(415);
      expect(error.code).toBe("unsupported_media_type");
    }
  });
});

describe("content encoding: bodies are read unencoded", () => {
  const encoded = (encoding: string, body = '{"name":"a"}') =>
    new Request("http://localhost/api/things", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": encoding },
      body,
    });

  test("error: a body with a content-encoding other than identity is 415, even when it is plain JSON", async () => {
    for (const [encoding, named] of [
      ["gzip", "gzip"],
      ["GZIP", "gzip"],
      ["br", "br"],
      ["deflate", "deflate"],
      ["identity, gzip", "identity, gzip"],
      ["x-custom", "x-custom"],
    ] as const) {
      const error = await refusal(() => parseJsonBody(encoded(encoding), bodySchema));
      expect(error.status, encoding).toBe(415);
      expect(error.code).toBe("unsupported_media_type");
      expect(error.message).toBe(
        `content-encoding ${named} is not accepted; send the body unencoded`,
      );
    }
    // An empty body is no way around it.
    expect((await refusal(() => parseJsonBody(encoded("gzip", ""), bodySchema))).status).toBe(415);
  });

  test("behavior: identity (or an empty header) is the body as sent", async () => {
    for (const encoding of ["identity", "Identity", ""]) {
      await expect(parseJsonBody(encoded(encoding), bodySchema), encoding).resolves.toEqual({
        name: "a",
      });
    }
  });
});

describe("validation messages a client can act on", () => {
  test("behavior: a missing required field says 'is required'", async () => {
    const error = await refusal(() => parseJsonBody(post("{}"), bodySchema));
    expect(error.message).toBe("Invalid body: name — is required");
    // Whatever the field should have been: one of an enum, a union.
    const shapes = z.object({
      status: z.enum(["a", "b"]),
      id: z.union([z.string(), z.number()]),
    });
    expect((await refusal(() => validate(shapes, {}))).issues).toEqual([
      { path: "status", message: "is required" },
      { path: "id", message: "is required" },
    ]);
  });

  test("behavior: an out-of-range number states the route's own bound, not the safe-integer one", async () => {
    for (const [limit, message] of [
      ["1e99", "must be at most 100"],
      ["101", "must be at most 100"],
      ["0", "must be at least 1"],
      ["-1e99", "must be at least 1"],
      ["1.5", "must be a whole number"],
      ["abc", "must be a number"],
    ]) {
      const request = new Request(`http://localhost/api/things?limit=${limit}`);
      const error = await refusal(() => parseQuery(request, listQuery));
      expect(error.message, limit).toBe(`Invalid query: limit — ${message}`);
    }
  });

  test("behavior: a schema's own message still wins over the plain-words defaults", async () => {
    const schema = z.object({
      command: z.string({ error: "command must be a string" }).min(1, "command must not be empty"),
    });
    expect((await refusal(() => validate(schema, {}))).message).toBe(
      "Invalid input: command — command must be a string",
    );
    expect((await refusal(() => validate(schema, { command: "" }))).message).toBe(
      "Invalid input: command — command must not be empty",
    );
  });
});

describe("the signed payment webhook's fields", () => {
  test("error: a malformed transaction hash is named in plain words, not as a regex", async () => {
    for (const transaction of ["0x1234", "abc", `0x${"g".repeat(64)}`, `${"a".repeat(64)}`]) {
      const error = await refusal(() =>
        validate(
          paymentWebhookEvent,
          { nonce: `0x${"1".repeat(64)}`, status: "settled", transaction },
          "body",
        ),
      );
      expect(error.status).toBe(400);
      expect(error.message).toBe(
        "Invalid body: transaction — must be a 0x-prefixed 32-byte transaction hash",
      );
    }
  });
});

describe("keyset cursors that are ids", () => {
  test("behavior: anything but an id of the list's kind is 400 Invalid cursor", async () => {
    for (const cursor of ["garbage", "\uFFFD\uFFFD", "run_", "ses_00000000000000000000000000"]) {
      const error = await refusal(() => readIdCursor(cursor, "run"));
      expect(error.status, cursor).toBe(400);
      expect(error.message).toMatch(/^Invalid cursor/);
    }
    expect(readIdCursor("run_01jz3k9m2n4p5q6r7s8t9v0w1x", "run")).toBe(
      "run_01jz3k9m2n4p5q6r7s8t9v0w1x",
    );
    expect(readIdCursor(undefined, "run")).toBeUndefined();
  });
});

describe("recipient addresses", () => {
  test("behavior: a wrong EIP-55 checksum and the zero address are refused; single-case stays valid", () => {
    const checksummed = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
    for (const valid of [
      checksummed,
      checksummed.toLowerCase(),
      `0x${checksummed.slice(2).toUpperCase()}`,
    ]) {
      expect(recipientAddress.safeParse(valid).success, valid).toBe(true);
    }
    const wrongChecksum = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4DC";
    expect(recipientAddress.safeParse(wrongChecksum).error?.issues[0]?.message).toMatch(
      /wrong EIP-55 checksum/,
    );
    expect(
      recipientAddress.safeParse("0x0000000000000000000000000000000000000000").error?.issues[0]
        ?.message,
    ).toMatch(/zero address/);
    expect(recipientAddress.safeParse("0x123").error?.issues.map((i) => i.message)).toEqual([
      "must be a 0x-prefixed 20-byte address",
    ]);
  });
});
