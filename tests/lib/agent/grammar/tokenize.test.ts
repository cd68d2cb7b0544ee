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

  test("behavior: arrows and & read as words, quoted text stays whole", () => {
    const words = tokenize(`swap 10CRO->USDC & bet 5 on "Will CRO close above 0.10?" → x ⇒ y`);
    expect(words.map((w) => [w.kind, w.value ?? w.lower])).toEqual([
      ["word", "swap"],
      ["number", "10"],
      ["word", "cro"],
      ["word", "to"],
      ["word", "usdc"],
      ["word", "and"],
      ["word", "bet"],
      ["number", "5"],
      ["word", "on"],
      ["quoted", "will cro close above 0.10?"],
      ["word", "to"],
      ["word", "x"],
      ["word", "to"],
      ["word", "y"],
    ]);
  });

  test("behavior: thousands groups are accepted; a trailing comma or dot is punctuation", () => {
    const words = tokenize("pay 1,000.50 then 1,000, then 5. $2,500");
    expect(words.map((w) => [w.kind, w.value ?? w.lower])).toEqual([
      ["word", "pay"],
      ["number", "1000.50"],
      ["word", "then"],
      ["number", "1000"],
      ["separator", ","],
      ["word", "then"],
      ["number", "5"],
      ["separator", "."],
      ["usd", "2500"],
    ]);
  });

  test("error: amounts that could be misread are refused whole", () => {
    const cases: Array<[string, string]> = [
      ["send 1,5 USDC", "ambiguous"],
      ["send 1.000,50 USDC", "ambiguous"],
      ["send 1_000 USDC", "ambiguous"],
      ["send 1'000 USDC", "ambiguous"],
      ["send 1 000 USDC", "ambiguous"],
      ["pay -5 USDC", "negative"],
      ["pay - 5 USDC", "negative"],
      ["pay \u22125 USDC", "negative"],
      ["pay -$5", "negative"],
      ["pay $-5", "negative"],
      ["pay +5 USDC", "sign"],
      ["pay 5 - 10 USDC", "range"],
      ["send 1e3 USDC", "exponent"],
      ["send 2.5E2 CRO", "exponent"],
      ["send \uFF15 USDC", "digits 0-9"],
      ["send 1\u0665 USDC", "digits 0-9"],
      ["send 1\u00BD USDC", "digits 0-9"],
      ["with 0,5% slippage", "ambiguous"],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        tokenize(text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(CommandParseError);
      expect((error as CommandParseError).reason, text).toBe("invalid_amount");
      expect((error as CommandParseError).message, text).toContain(message);
    }
  });

  test("behavior: numbers apart from each other are not a thousands group", () => {
    expect(tokenize("call 1-800-555").map((w) => w.value ?? w.lower)).toEqual([
      "call",
      "1",
      "800",
      "555",
    ]);
  });

  test("error: a mixed-case address with a wrong EIP-55 checksum is refused; single-case ones are not", () => {
    const mistyped = "0x90F79bf6EB2c4f870365E785982E1f101E93B906"; // last letters' case flipped
    expect(() => tokenize(`send 1 USDC to ${mistyped}`)).toThrow(CommandParseError);
    expect(() => tokenize(`send 1 USDC to ${mistyped}`)).toThrow(/wrong EIP-55 checksum/);
    for (const address of [
      "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
      "0x90F79BF6EB2C4F870365E785982E1F101E93B906",
    ])
      expect(tokenize(`send 1 USDC to ${address}`).at(-1)).toMatchObject({ kind: "address" });
  });

  test("behavior: hyphens inside names and lone dashes are not signs", () => {
    const words = tokenize("- redeem cro-above-0.10-dec31 -- ok");
    expect(words.map((w) => w.lower)).toEqual(["redeem", "cro-above-0.10-dec31", "ok"]);
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
