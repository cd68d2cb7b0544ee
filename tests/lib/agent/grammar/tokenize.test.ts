import { describe, expect, test } from "vitest";
import { CommandParseError } from "../../../../lib/agent/errors.js";
import { parseCommand } from "../../../../lib/agent/grammar/parseCommand.js";
import { tokenize } from "../../../../lib/agent/grammar/tokenize.js";
import { suggestTokens } from "../../../../lib/agent/tokens.js";
import { errorResponse } from "../../../../lib/http/errors.js";
import { tokens } from "../fixtures.js";

describe("tokenize", () => {
  test("behavior: URLs, addresses, dollars, percents and glued amounts stay meaningful", () => {
    const words = tokenize(
      "Swap 10cro for USDC.e, then pay $0.10 to https://api.x.com/d?q=1. 0.5% 0xAb",
    );
    expect(words.map((w) => [w.kind, w.value ?? w.raw])).toEqual([
      ["word", "Swap"],
      ["number", "10"],
      ["word", "cro"],
      ["word", "for"],
      ["word", "USDC.e"],
      ["separator", ","],
      ["word", "then"],
      ["word", "pay"],
      ["usd", "0.10"],
      ["word", "to"],
      ["url", "https://api.x.com/d?q=1"],
      ["percent", "0.5"],
      ["word", "0xAb"],
    ]);
  });
});

describe("suggestions", () => {
  test("behavior: only the closest symbols are suggested", () => {
    expect(suggestTokens(tokens, "CRP")).toEqual(["CRO"]);
    expect(suggestTokens(tokens, "USDD")).toEqual(["USDC", "USDT"]);
    expect(suggestTokens(tokens, "ETH")).toEqual([]);
  });
});

describe("CommandParseError", () => {
  test("error: is a 422 client error whose hints carry the suggestions", async () => {
    let error: unknown;
    try {
      parseCommand("swap 10 CRP for USDC", { tokens });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CommandParseError);
    expect(error).toMatchObject({ kind: "invalid" });
    const response = errorResponse(error);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: {
        code: "unprocessable",
        message: 'Unknown token "CRP" — did you mean CRO?',
        hints: ["Known tokens: CRO, WCRO, USDC, USDT, VVS"],
      },
    });
  });
});
