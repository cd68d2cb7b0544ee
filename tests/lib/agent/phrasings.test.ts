import { describe, expect, test } from "vitest";
import { parseIntents } from "../../../lib/agent/grammar/parseIntents.js";
import { ParsedCommand } from "../../../lib/agent/intent.js";
import { tokens } from "./fixtures.js";
import { phrasings } from "./phrasings.js";
import { scorePhrasings } from "./scorePhrasings.js";

/** The grammar alone (no model) must understand at least this share of the phrasing set. */
const TARGET = 0.98;

describe("phrasings people write", () => {
  test("args: at least 300 phrasings, none duplicated, every expectation a valid command", () => {
    expect(phrasings.length).toBeGreaterThanOrEqual(300);
    const texts = phrasings.map((p) => p.text);
    expect(new Set(texts).size).toBe(texts.length);
    for (const entry of phrasings) {
      if (entry.error) continue;
      const parsed = ParsedCommand.safeParse({
        steps: entry.steps,
        ...(entry.budget ? { budget: entry.budget } : {}),
      });
      expect({ text: entry.text, ok: parsed.success }).toEqual({ text: entry.text, ok: true });
    }
  });

  test(`behavior: the grammar understands at least ${TARGET * 100}% of them exactly`, () => {
    const score = scorePhrasings(phrasings, (text) => parseIntents(text, { tokens }));
    const lines = score.misses.map(
      (m) => `  ✗ ${m.text}\n      want ${m.expected}\n      got  ${m.actual}`,
    );
    console.log(
      `understanding: ${score.understood}/${score.total} = ${(score.rate * 100).toFixed(1)}%${lines.length ? `\n${lines.join("\n")}` : ""}`,
    );
    expect(score.rate).toBeGreaterThanOrEqual(TARGET);
  });

  test("behavior: the scorer counts a wrong intent, a wrong refusal and a missing refusal as misses", () => {
    const score = scorePhrasings(
      [
        { text: "a", steps: [{ kind: "balance", tokens: [] }] },
        { text: "b", error: { reason: "invalid_amount" } },
        { text: "c", error: { reason: "invalid_amount", message: "negative" } },
        { text: "d", error: { reason: "invalid_amount" } },
      ],
      (text) => {
        if (text === "a") return { steps: [{ kind: "balance", tokens: ["CRO"] }] };
        if (text === "c") throw Object.assign(new Error("ambiguous"), { reason: "invalid_amount" });
        if (text === "d") throw Object.assign(new Error("x"), { reason: "invalid_amount" });
        return { steps: [{ kind: "balance", tokens: [] }] };
      },
    );
    expect(score.misses.map((m) => m.text)).toEqual(["a", "b", "c"]);
    expect(score.rate).toBe(0.25);
  });
});
