import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { validateBazaarEntry } from "../../../../lib/registry/bazaar/validateBazaarEntry.js";
import { createTestDb, type TestDb } from "../../../helpers/db.js";

/**
 * A catalogue's MCP entry keeps its description in the service's tools (jsonb), where Postgres
 * refuses half a surrogate pair: one such entry failed the whole import at its write.
 */
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb("pg");
});
afterAll(async () => {
  await db?.dispose();
});

const mcpEntry = (description: string) => ({
  resource: "https://tools.example.com/mcp",
  type: "mcp",
  x402Version: 2,
  accepts: [
    {
      scheme: "exact",
      network: "eip155:338",
      amount: "1000",
      asset: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0",
      payTo: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    },
  ],
  description,
  extensions: { bazaar: { info: { input: { type: "mcp", toolName: "search" } } } },
});

describe("validateBazaarEntry and what Postgres can store", () => {
  test.each([
    ["a lone surrogate it sent", "tool \uD800 text\u0000", "tool \uFFFD text"],
    ["a pair cut at 2000 characters", `${"d".repeat(1999)}😀`, `${"d".repeat(1999)}\uFFFD`],
  ])("args: %s becomes U+FFFD and the tools JSON stores", async (_, sent, kept) => {
    const entry = validateBazaarEntry(mcpEntry(sent));
    expect(entry.description).toBe(kept);
    const tools = JSON.stringify([{ name: entry.toolName, description: entry.description }]);
    const stored = await db.db
      .selectNoFrom((eb) => eb.cast<unknown>(eb.val(tools), "jsonb").as("tools"))
      .executeTakeFirstOrThrow();
    expect(stored.tools).toEqual([{ name: "search", description: kept }]);
  });
});
