import type { CommandParseError } from "../errors.js";
import type { TokenList } from "../tokens.js";
import { readTokenName } from "./readAmount.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

type Part = "unit" | "teen" | "tens" | "hundred" | "scale" | "a" | "and" | "point";

const parts = new Map<string, { part: Part; value: number }>();
const units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const teens = [
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const tens = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
for (const [value, word] of units.entries()) parts.set(word, { part: "unit", value });
for (const [index, word] of teens.entries()) parts.set(word, { part: "teen", value: 10 + index });
for (const [index, word] of tens.entries())
  parts.set(word, { part: "tens", value: 20 + 10 * index });
parts.set("hundred", { part: "hundred", value: 100 });
parts.set("thousand", { part: "scale", value: 1_000 });
parts.set("million", { part: "scale", value: 1_000_000 });
parts.set("billion", { part: "scale", value: 1_000_000_000 });

/** Words after which a run of number words is an amount ("ten CRO", "five dollars", "one percent"). */
const unitWords = new Set([
  "usd",
  "dollar",
  "dollars",
  "buck",
  "bucks",
  "cent",
  "cents",
  "percent",
  "bps",
  "bp",
  "basis",
  "second",
  "seconds",
  "secs",
  "minute",
  "minutes",
  "mins",
  "min",
  "hour",
  "hours",
  "hrs",
  "day",
  "days",
  "star",
  "stars",
]);
/** Words before which a run is a rating or a limit ("rated four", "above four"). */
const comparisonWords = new Set(["above", "over", "below", "under", "least", "than", "rated"]);
const negativeWords = new Set(["minus", "negative"]);

type Piece = { part: Part; value: number };

/** Every single word that can be part of a number, with its reading (built once). */
const readings = new Map<string, ReadonlyArray<Piece>>([
  ...[...parts].map(([word, piece]): [string, ReadonlyArray<Piece>] => [word, [piece]]),
  ["a", [{ part: "a", value: 1 }]],
  ["and", [{ part: "and", value: 0 }]],
  ["point", [{ part: "point", value: 0 }]],
]);

function partOf(word: Word): ReadonlyArray<Piece> | undefined {
  if (word.kind !== "word") return undefined;
  const reading = readings.get(word.lower);
  if (reading || !word.lower.includes("-")) return reading;
  // "twenty-five"
  const pieces = word.lower.split("-").map((piece) => parts.get(piece));
  return pieces.every((piece) => piece !== undefined) ? pieces : undefined;
}

function unreadable(words: ReadonlyArray<Word>): CommandParseError {
  const text = words.map((w) => w.raw).join(" ");
  return refuse(`"${text}" is not a number I can read; write it in digits`, {
    reason: "invalid_amount",
  });
}

/**
 * Value of a run of number words ("twenty five", "one hundred and five", "one point five",
 * "fifteen hundred"), or undefined when the run is not one number ("five ten").
 */
function numberValue(run: ReadonlyArray<Piece>): string | undefined {
  let total = 0;
  let current = 0;
  let last: Part | "start" = "start";
  let lastScale = Number.POSITIVE_INFINITY;
  let decimals: string | undefined;
  for (const [index, { part, value }] of run.entries()) {
    if (decimals !== undefined) {
      if (part !== "unit") return undefined;
      decimals += String(value);
      continue;
    }
    switch (part) {
      case "a":
        if (index !== 0) return undefined;
        break;
      case "unit":
        // "zero" stands alone or before "point".
        if (
          value === 0 &&
          (last !== "start" || (run[index + 1] && run[index + 1]!.part !== "point"))
        )
          return undefined;
        if (last === "unit" || last === "teen" || last === "a") return undefined;
        current += value;
        break;
      case "teen":
      case "tens":
        if (last !== "start" && last !== "hundred" && last !== "scale" && last !== "and")
          return undefined;
        current += value;
        break;
      case "hundred":
        if (last === "hundred" || last === "scale" || last === "and" || current >= 100)
          return undefined;
        current = (current || 1) * 100;
        break;
      case "scale":
        if (last === "scale" || last === "and" || value >= lastScale) return undefined;
        total += (current || 1) * value;
        current = 0;
        lastScale = value;
        break;
      case "and":
        if (last !== "hundred" && last !== "scale") return undefined;
        break;
      case "point":
        if (last === "start" || last === "a" || last === "and") return undefined;
        decimals = "";
        break;
    }
    last = part;
  }
  if (last === "a" || last === "and" || decimals === "") return undefined;
  const whole = String(total + current);
  return decimals ? `${whole}.${decimals}` : whole;
}

/**
 * Turns number words into numbers where they stand for an amount: "swap ten CRO", "send twenty
 * five USDC", "within ten minutes", "one point five". A run becomes a number only before a token,
 * a unit or "of"/"worth", or after a comparison ("rated four"), so "the best one" and "one more
 * time" stay words. "minus 5" is refused as negative.
 */
export function readNumberWords(words: Word[], tokens: TokenList): Word[] {
  let out: Word[] | undefined;
  let copied = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.kind !== "word") continue;
    if (negativeWords.has(word.lower)) {
      const next = words[i + 1];
      if (next && (next.kind === "number" || next.kind === "usd" || partOf(next))) {
        throw refuse(
          `Invalid amount: "${word.raw} ${next.raw}" is negative; amounts must be positive`,
          { reason: "invalid_amount" },
        );
      }
      continue;
    }
    const first = partOf(word);
    if (!first || first[0]!.part === "and" || first[0]!.part === "point") continue;
    // The longest run of number words, with "and"/"point" only inside it.
    const run = [...first];
    let end = i + 1;
    while (end < words.length) {
      const next = partOf(words[end]!);
      if (!next || next[0]!.part === "a") break;
      run.push(...next);
      end++;
    }
    while (end > i + 1 && (words[end - 1]!.lower === "and" || words[end - 1]!.lower === "point")) {
      end--;
      run.pop();
    }
    // "a" counts only as "a hundred", "a thousand".
    if (first[0]!.part === "a" && run[1]?.part !== "hundred" && run[1]?.part !== "scale") continue;
    const after = words[end];
    const before = words[i - 1];
    const justOne = run.length === 1 && run[0]!.value === 1;
    const amountContext =
      after?.kind === "word" &&
      (unitWords.has(after.lower) ||
        readTokenName(words, end, tokens) !== undefined ||
        ((after.lower === "of" || after.lower === "worth") && !justOne));
    const ratingContext = before?.kind === "word" && comparisonWords.has(before.lower) && !justOne;
    if (!amountContext && !ratingContext) {
      i = end - 1;
      continue;
    }
    const taken = words.slice(i, end);
    // "2 hundred", "1.5 million": digits and scale words mixed are refused, not multiplied.
    if ((run[0]!.part === "hundred" || run[0]!.part === "scale") && before?.kind === "number")
      throw unreadable([before, ...taken]);
    const value = numberValue(run);
    if (value === undefined) throw unreadable(taken);
    out ??= [];
    for (let k = copied; k < i; k++) out.push(words[k]!);
    const raw = taken.map((w) => w.raw).join(" ");
    out.push({ raw, lower: raw.toLowerCase(), kind: "number", value });
    copied = end;
    i = end - 1;
  }
  if (!out) return words;
  for (let k = copied; k < words.length; k++) out.push(words[k]!);
  return out;
}
