import { describe, expect, test } from "vitest";
import { CommandParseError } from "../../../lib/agent/errors.js";
import { parseCommand } from "../../../lib/agent/grammar/parseCommand.js";
import { tokens } from "./fixtures.js";

/** Refusals that teach (issue 20): one clear message, examples from what the deployment can do. */
function refusal(text: string, services?: string[]): CommandParseError {
  try {
    parseCommand(text, { tokens, services });
  } catch (error) {
    if (error instanceof CommandParseError) return error;
    throw error;
  }
  throw new Error(`"${text}" parsed`);
}

describe("refusals", () => {
  test('behavior: "please buy me some pizza" is not understood, not an unknown token', () => {
    const error = refusal("please buy me some pizza");
    expect(error.reason).toBe("unrecognized");
    expect(error.shortMessage).toMatch(/^I don't understand ".*pizza"$/);
    expect(error.shortMessage).not.toMatch(/Unknown token/);
    const capabilities = error.suggestions[0]!;
    for (const token of tokens) expect(capabilities).toContain(token.symbol);
  });

  test('behavior: "hello there" suggests only registered services', () => {
    const bare = refusal("hello there");
    expect(bare.reason).toBe("unrecognized");
    expect(bare.suggestions.join("\n")).not.toMatch(/weather/i);
    expect(bare.suggestions.join("\n")).not.toMatch(/subscribe to/);
    const withServices = refusal("hello there", ["Market Data API", "Chain Stats API"]);
    const text = withServices.suggestions.join("\n");
    expect(text).toContain('"pay 0.10 USDC to Market Data API"');
    expect(text).toContain('"subscribe to Chain Stats API monthly"');
    expect(text).toContain("registered: Market Data API, Chain Stats API");
    expect(text).not.toMatch(/weather/i);
  });

  test("behavior: unsupported verbs teach the same way", () => {
    const error = refusal("hack the mainframe", ["Market Data API"]);
    expect(["unsupported", "unrecognized"]).toContain(error.reason);
    expect(error.suggestions.join("\n")).toContain("Market Data API");
  });

  test("error: trades with an amount keep their precise unknown-token answer", () => {
    const error = refusal("swap 10 CRO for SHIB");
    expect(error.reason).toBe("unknown_token");
    expect(error.shortMessage).toBe('Unknown token "SHIB"');
    expect(refusal("buy some USCD").shortMessage).toMatch(/did you mean USDC/);
  });
});
