import { describe, expect, test } from "vitest";
import { CommandParseError } from "../../../../lib/agent/errors.js";
import { readNumberWords } from "../../../../lib/agent/grammar/readNumberWords.js";
import { tokenize } from "../../../../lib/agent/grammar/tokenize.js";
import { tokens } from "../fixtures.js";

function read(text: string): string[] {
  return readNumberWords(tokenize(text), tokens).map((w) =>
    w.kind === "number" ? `#${w.value}` : w.lower,
  );
}

describe("readNumberWords", () => {
  test("args: compound numbers before a token or a unit", () => {
    expect(read("swap ten CRO")).toEqual(["swap", "#10", "cro"]);
    expect(read("send twenty five usdc")).toEqual(["send", "#25", "usdc"]);
    expect(read("send twenty-five usdc")).toEqual(["send", "#25", "usdc"]);
    expect(read("a hundred usdt")).toEqual(["#100", "usdt"]);
    expect(read("one hundred and five cro")).toEqual(["#105", "cro"]);
    expect(read("fifteen hundred cro")).toEqual(["#1500", "cro"]);
    expect(read("twenty five hundred cro")).toEqual(["#2500", "cro"]);
    expect(read("two thousand five hundred and twelve vvs")).toEqual(["#2512", "vvs"]);
    expect(read("one million cro")).toEqual(["#1000000", "cro"]);
    expect(read("one point five cro")).toEqual(["#1.5", "cro"]);
    expect(read("zero point zero five usdc")).toEqual(["#0.05", "usdc"]);
    expect(read("within ten minutes")).toEqual(["within", "#10", "minutes"]);
    expect(read("with one percent slippage")).toEqual(["with", "#1", "percent", "slippage"]);
    expect(read("ten dollars")).toEqual(["#10", "dollars"]);
    expect(read("rated four stars")).toEqual(["rated", "#4", "stars"]);
    expect(read("reputation above four")).toEqual(["reputation", "above", "#4"]);
  });

  test("behavior: number words that are not amounts stay words", () => {
    expect(read("pay the best one")).toEqual(["pay", "the", "best", "one"]);
    expect(read("do that one more time")).toEqual(["do", "that", "one", "more", "time"]);
    expect(read("pay one of them")).toEqual(["pay", "one", "of", "them"]);
    expect(read("top ten news api")).toEqual(["top", "ten", "news", "api"]);
    expect(read("a cro")).toEqual(["a", "cro"]);
  });

  test("error: runs that are not one number, and negatives", () => {
    for (const [text, message] of [
      ["swap five ten CRO", "not a number I can read"],
      ["swap ten five CRO", "not a number I can read"],
      ["swap twenty twenty CRO", "not a number I can read"],
      ["swap zero five CRO", "not a number I can read"],
      ["send 2 hundred USDC", "not a number I can read"],
      ["send 1.5 million USDC", "not a number I can read"],
      ["send minus 5 USDC", "negative"],
      ["send negative five USDC", "negative"],
    ] as const) {
      let error: unknown;
      try {
        read(text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(CommandParseError);
      expect((error as CommandParseError).reason).toBe("invalid_amount");
      expect((error as CommandParseError).message, text).toContain(message);
    }
  });
});
