import { describe, expect, test } from "vitest";
import { CommandParseError } from "../../../lib/agent/errors.js";
import { parseCommand } from "../../../lib/agent/grammar/parseCommand.js";
import { Command } from "../../../lib/agent/intent.js";
import { CORPUS_MEMORY, corpus } from "./corpus.js";
import { tokens } from "./fixtures.js";

describe("grammar corpus", () => {
  test("args: the table holds at least 200 phrasings, none duplicated", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    const keys = corpus.map((c) => `${c.memory ? "m:" : ""}${c.text}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  const label = (text: string) => (text.length > 90 ? `${text.slice(0, 87)}…` : text || "(empty)");

  for (const entry of corpus.filter((c) => !c.error)) {
    test(`behavior: ${label(entry.text)}`, () => {
      const command = parseCommand(entry.text, {
        tokens,
        memory: entry.memory ? CORPUS_MEMORY : undefined,
      });
      expect(command).toEqual({
        steps: entry.steps,
        ...(entry.budget ? { budget: entry.budget } : {}),
      });
      expect(Command.safeParse(command).success).toBe(true);
    });
  }

  for (const entry of corpus.filter((c) => c.error)) {
    test(`error: ${label(entry.text)}`, () => {
      let error: unknown;
      try {
        parseCommand(entry.text, { tokens, memory: entry.memory ? CORPUS_MEMORY : undefined });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CommandParseError);
      const parseError = error as CommandParseError;
      expect({ reason: parseError.reason, text: entry.text }).toEqual({
        reason: entry.error!.reason,
        text: entry.text,
      });
      if (entry.error!.message) expect(parseError.message).toContain(entry.error!.message);
    });
  }
});
