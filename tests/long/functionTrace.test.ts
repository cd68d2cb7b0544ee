import path from "node:path";
import { describe, expect, test } from "vitest";
import { traceFunctions } from "../../dev/traceFunctions.js";
import { isDevOnly } from "../helpers/devOnly.js";

/**
 * What a Vercel function would carry, traced as @vercel/nft does it (issue 18). Tracing takes one to
 * two minutes on a 2-core machine, hence tests/long; the quick import walk over every api/ file
 * stays in tests/deploy/vercelConfig.test.ts.
 */
const root = path.resolve(import.meta.dirname, "../..");

describe("function trace", () => {
  test("behavior: the function trace (as @vercel/nft does it) carries no devnet, embedded database or fixtures", async () => {
    // api/health reaches the database, the cache, the workflow world and the chain: the widest reach.
    const [trace] = await traceFunctions(root, "api/health");
    expect(trace?.name).toBe("api/health");
    const carried = trace!.files.filter(isDevOnly);
    expect(carried).toEqual([]);
    expect(trace!.files).toContain("lib/chain/devnetConstants.ts");
  });
});
