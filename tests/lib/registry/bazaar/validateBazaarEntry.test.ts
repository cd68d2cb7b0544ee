import { describe, expect, test } from "vitest";
import {
  BazaarEntryError,
  validateBazaarEntry,
} from "../../../../lib/registry/bazaar/validateBazaarEntry.js";

const accept = {
  scheme: "exact",
  network: "eip155:338",
  amount: "1000",
  asset: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0",
  payTo: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
};
const entry = (overrides: Record<string, unknown> = {}) => ({
  resource: "https://api.example.com/data",
  type: "http",
  x402Version: 2,
  accepts: [accept],
  ...overrides,
});

describe("validateBazaarEntry", () => {
  test("args: keeps the used fields, cleans text, tags, name and icon", () => {
    const valid = validateBazaarEntry(
      entry({
        description: "Stats\u0007 with a bell and \u202Ereversed\u202C text",
        serviceName: "bad\nname",
        tags: ["ok-tag", "x".repeat(40), "caf\u00e9", 42, "chain"],
        iconUrl: "http://127.0.0.1/icon.png",
      }),
    );
    expect(valid).toEqual({
      type: "http",
      endpoint: "https://api.example.com/data",
      toolName: null,
      description: "Stats  with a bell and  reversed  text",
      serviceName: null,
      tags: ["ok-tag", "chain"],
      iconUrl: null,
      accepts: [
        { network: "eip155:338", amount: "1000", asset: accept.asset, payTo: accept.payTo },
      ],
    });
  });

  test("args: a v1 entry's maxAmountRequired and network name are normalised; other schemes dropped", () => {
    const valid = validateBazaarEntry(
      entry({
        x402Version: 1,
        accepts: [
          { ...accept, amount: undefined, maxAmountRequired: "5", network: "cronos-testnet" },
          { ...accept, scheme: "upto" },
        ],
      }),
    );
    expect(valid.accepts).toEqual([
      { network: "eip155:338", amount: "5", asset: accept.asset, payTo: accept.payTo },
    ]);
  });

  test("args: an MCP entry names its tool; the endpoint drops the fragment", () => {
    const valid = validateBazaarEntry(
      entry({
        type: "mcp",
        resource: "https://tools.example.com/mcp#search",
        extensions: { bazaar: { info: { input: { type: "mcp", toolName: "search" } } } },
      }),
    );
    expect(valid).toMatchObject({ endpoint: "https://tools.example.com/mcp", toolName: "search" });
  });

  test.each([
    [entry({ resource: "javascript:alert(1)" }), /resource/],
    [entry({ resource: "https://user:pw@example.com/" }), /resource/],
    [entry({ accepts: [{ ...accept, amount: "1e6" }] }), /amount/],
    [entry({ accepts: [{ ...accept, payTo: "not an address" }] }), /payTo/],
    [entry({ accepts: [] }), /accepts/],
    [entry({ accepts: [{ ...accept, network: "solana:mainnet" }] }), /no exact EVM/],
    [
      entry({ type: "mcp", extensions: { bazaar: { info: { input: { toolName: "../x" } } } } }),
      /toolName/,
    ],
    [entry({ type: "ftp" }), /type/],
    ["not an object", /entry/],
  ])("error: refuses a malformed entry (%#)", (raw, reason) => {
    expect(() => validateBazaarEntry(raw)).toThrow(BazaarEntryError);
    expect(() => validateBazaarEntry(raw)).toThrow(reason);
  });
});
