import type { CommandParseError } from "../errors.js";
import type { Command, ParsedIntent } from "../intent.js";
import type { SessionMemory } from "../memory.js";
import type { TokenList } from "../tokens.js";
import { parsePayment } from "./parsePayment.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

const repeatPattern =
  /^(?:(?:do|repeat|redo|run|execute)(?: (?:it|that|this|the same(?: thing)?|the (?:last|previous|same) (?:one|command|thing|run|request)|what you did|my last command))?(?: (?:again|once more|one more time))?|again|same again|one more time|once more|do the same|same as (?:before|last time))$/;
const reversePattern =
  /^(?:(?:swap|trade|convert|exchange|change) (?:it|them|that|those|this|everything|the tokens|the output|it all) back|(?:swap|trade|convert) back|(?:reverse|undo|revert) (?:the |that |my |this )?(?:last |previous )?(?:swap|trade))$/;
const sameServicePattern =
  /^(?:pay|send|tip) (?:the same (?:service|api|provider|one|endpoint|merchant)|that (?:service|api) again|them again|the same)(?: again)?\b/;

/** A step that refers to earlier runs of the session, resolved against its memory. */
export type ReferenceResult =
  | { kind: "repeat"; command: Command }
  | { kind: "steps"; steps: ParsedIntent[] };

function noMemory(what: string): CommandParseError {
  return refuse(`There is no ${what} in this session to refer to`, {
    reason: "memory",
    suggestions: ['Spell the command out, e.g. "swap 10 CRO for USDC"'],
  });
}

/**
 * Resolves "do that again", "swap it back" and "pay the same service [amount]" against session
 * memory; undefined when the step is not a reference. Without the needed memory: a clear error.
 */
export function resolveReference(
  words: Word[],
  tokens: TokenList,
  memory: SessionMemory | undefined,
): ReferenceResult | undefined {
  const first = words[0]?.lower;
  if (!first) return undefined;
  if (
    ![
      "do",
      "repeat",
      "redo",
      "run",
      "execute",
      "again",
      "same",
      "one",
      "once",
      "swap",
      "trade",
      "convert",
      "exchange",
      "change",
      "reverse",
      "undo",
      "revert",
      "pay",
      "send",
      "tip",
    ].includes(first)
  ) {
    return undefined;
  }
  // Cheap pre-checks keep ordinary "swap …"/"pay …" commands off the regex path.
  const second = words[1]?.lower;
  if (
    ["swap", "trade", "convert", "exchange", "change"].includes(first) &&
    words.at(-1)?.lower !== "back"
  ) {
    return undefined;
  }
  if (
    ["pay", "send", "tip"].includes(first) &&
    second !== "the" &&
    second !== "that" &&
    second !== "them"
  ) {
    return undefined;
  }
  const text = words.map((w) => w.lower).join(" ");
  if (repeatPattern.test(text)) {
    if (!memory?.lastCommand) throw noMemory("previous command");
    return { kind: "repeat", command: memory.lastCommand };
  }
  if (reversePattern.test(text)) {
    const swap = memory?.lastSwap;
    if (!swap) throw noMemory("previous swap");
    if (!swap.amountOut) {
      throw refuse("The last swap's output is not known yet, so it cannot be swapped back", {
        reason: "memory",
        suggestions: [`Say how much, e.g. "swap 10 ${swap.tokenOut} for ${swap.tokenIn}"`],
      });
    }
    return {
      kind: "steps",
      steps: [
        { kind: "swap", tokenIn: swap.tokenOut, tokenOut: swap.tokenIn, amountIn: swap.amountOut },
      ],
    };
  }
  const same = sameServicePattern.exec(text);
  if (same) {
    const service = memory?.lastService;
    if (!service || (!service.name && !service.url)) throw noMemory("previous service");
    // Re-parse the remainder (an amount or a cap) with the remembered service as the payee.
    const consumed = same[0].split(" ").length;
    const rest = words.slice(consumed).filter((w) => w.lower !== "again");
    const payee: Word = service.url
      ? { raw: service.url, lower: service.url.toLowerCase(), kind: "url" }
      : { raw: service.name!, lower: service.name!.toLowerCase(), kind: "word" };
    const intent = parsePayment(
      "pay",
      [...rest, { raw: "to", lower: "to", kind: "word" }, payee],
      tokens,
    );
    return { kind: "steps", steps: [intent] };
  }
  return undefined;
}
