import { parseDecimal } from "../decimal.js";
import type { Budget } from "../intent.js";
import { resolveToken, type TokenList } from "../tokens.js";
import { indexPhrases, matchAt, typoMatcher } from "./lexicon.js";
import { readAmount, toBaseUnits, toUsd } from "./readAmount.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

/** Modifiers lifted out of a step before its verb is parsed. */
export interface Clauses {
  budget?: Budget;
  slippageBps?: number;
  deadlineSeconds?: number;
}

const budgetPhrases: string[][] = [
  ["with", "a", "total", "budget", "of"],
  ["with", "a", "max", "budget", "of"],
  ["with", "a", "budget", "of"],
  ["with", "budget", "of"],
  ["with", "a", "budget"],
  ["with", "budget"],
  ["on", "a", "budget", "of"],
  ["under", "a", "budget", "of"],
  ["within", "a", "budget", "of"],
  ["within", "budget", "of"],
  ["using", "a", "budget", "of"],
  ["a", "budget", "of"],
  ["max", "budget", "of"],
  ["max", "budget"],
  ["total", "budget", "of"],
  ["total", "budget"],
  ["budget", "of"],
  ["budget", "is"],
  ["budget"],
  ["do", "not", "spend", "more", "than"],
  ["don't", "spend", "more", "than"],
  ["dont", "spend", "more", "than"],
  ["without", "spending", "more", "than"],
  ["without", "exceeding"],
  ["without", "going", "over"],
  ["not", "exceeding"],
  ["spending", "no", "more", "than"],
  ["spend", "no", "more", "than"],
  ["spending", "at", "most"],
  ["spend", "at", "most"],
  ["spend", "up", "to"],
  ["spend", "less", "than"],
  ["spend", "maximum"],
  ["spend", "max"],
  ["spending", "max"],
];

const joiners = new Set(["and", "but", "with", "while"]);
const budgetIndex = indexPhrases(budgetPhrases);

function matchPhrase(
  words: ReadonlyArray<Word>,
  index: number,
  phrase: ReadonlyArray<string>,
): boolean {
  for (let k = 0; k < phrase.length; k++) {
    if (words[index + k]?.lower !== phrase[k]) return false;
  }
  return true;
}

const timeUnits: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
};

const deadlineLead = [
  ["with", "a", "deadline", "of"],
  ["with", "deadline", "of"],
  ["with", "a", "deadline"],
  ["deadline", "of"],
  ["deadline"],
  ["expires", "in"],
  ["expiring", "in"],
  ["expire", "in"],
  ["within"],
  ["in"],
];

function readBudget(
  words: Word[],
  index: number,
  tokens: TokenList,
): { budget: Budget; end: number } {
  const amount = readAmount(words, index, tokens);
  if (!amount || (!amount.token && !amount.usd)) {
    if (amount?.unknownToken) resolveToken(tokens, amount.unknownToken);
    throw refuse(
      'The budget needs an amount and a token, e.g. "with a budget of 5 USDC" or "$20"',
      {
        reason: "incomplete",
      },
    );
  }
  let end = amount.end;
  if (words[end]?.lower === "in" && words[end + 1]?.lower === "total") end += 2;
  else if (words[end]?.lower === "total") end += 1;
  const budget: Budget = amount.usd
    ? { usd: toUsd(amount.value) }
    : { amount: toBaseUnits(amount.value, amount.token!), token: amount.token!.symbol };
  return { budget, end };
}

function readSlippage(
  words: Word[],
  s: number,
): { bps: number; start: number; end: number } | undefined {
  // After: "slippage [tolerance] [of|at|is|=] [max] 0.5%"
  let j = s + 1;
  while (
    ["tolerance", "of", "at", "is", "max", "maximum", "up", "to", "="].includes(
      words[j]?.lower ?? "",
    )
  )
    j++;
  const after = readPercent(words, j);
  if (after) {
    let start = s;
    while (
      start > 0 &&
      ["max", "maximum", "with", "a", "and", "at", "allow"].includes(words[start - 1]!.lower)
    )
      start--;
    return { bps: after.bps, start, end: after.end };
  }
  // Before: "[with] [max] 0.5% [max] slippage"
  let k = s - 1;
  while (k >= 0 && ["max", "maximum"].includes(words[k]!.lower)) k--;
  for (const width of [1, 2]) {
    const at = k - width + 1;
    if (at < 0) continue;
    const before = readPercent(words, at);
    if (before && before.end === k + 1) {
      let start = at;
      while (
        start > 0 &&
        ["with", "a", "max", "maximum", "and", "at", "allow"].includes(words[start - 1]!.lower)
      )
        start--;
      let end = s + 1;
      if (words[end]?.lower === "tolerance") end++;
      return { bps: before.bps, start, end };
    }
  }
  return undefined;
}

function readPercent(words: Word[], index: number): { bps: number; end: number } | undefined {
  const word = words[index];
  if (!word) return undefined;
  let bps: bigint | undefined;
  let end = index + 1;
  try {
    if (word.kind === "percent") bps = parseDecimal(word.value!, 2);
    else if (word.kind === "number" && words[index + 1]?.lower === "percent") {
      bps = parseDecimal(word.value!, 2);
      end++;
    } else if (
      word.kind === "number" &&
      ["bps", "bp", "basis"].includes(words[index + 1]?.lower ?? "")
    ) {
      bps = parseDecimal(word.value!, 0);
      end += words[index + 2]?.lower === "points" ? 2 : 1;
    }
  } catch (error) {
    throw refuse(`Invalid slippage "${word.raw}": use at most two decimals of a percent`, {
      reason: "invalid_amount",
      cause: error,
    });
  }
  if (bps === undefined) return undefined;
  if (bps > 5000n) {
    throw refuse(`Slippage ${word.raw} is too high (at most 50%)`, {
      reason: "invalid_amount",
    });
  }
  return { bps: Number(bps), end };
}

function readDeadline(
  words: Word[],
  n: number,
): { seconds: number; start: number; end: number } | undefined {
  const unit = timeUnits[words[n + 1]?.lower ?? ""];
  if (unit === undefined) return undefined;
  let seconds: number;
  try {
    seconds = Number(parseDecimal(words[n]!.value!, 0)) * unit;
  } catch (error) {
    throw refuse(`Invalid deadline "${words[n]!.raw} ${words[n + 1]!.raw}"`, {
      reason: "invalid_amount",
      cause: error,
    });
  }
  let end = n + 2;
  if (words[end]?.lower === "deadline") {
    end++;
    let start = n;
    while (start > 0 && ["with", "a", "and"].includes(words[start - 1]!.lower)) start--;
    return { seconds, start, end };
  }
  for (const lead of deadlineLead) {
    const at = n - lead.length;
    if (at >= 0 && matchPhrase(words, at, lead)) {
      let start = at;
      while (start > 0 && words[start - 1]!.lower === "and") start--;
      return { seconds, start, end };
    }
  }
  return undefined;
}

/** Clause nouns read with one typo ("slipage", "budjet", "dealine"). */
const clauseNoun = typoMatcher(["slippage", "budget", "deadline"]);

/** The words with typos in clause nouns corrected (same array when there are none). */
function correctClauseNouns(words: Word[]): Word[] {
  let out: Word[] | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.kind !== "word" || word.lower.length < 5) continue;
    const noun = clauseNoun(word.lower);
    if (noun === undefined || noun === word.lower) continue;
    out ??= [...words];
    out[i] = { ...word, lower: noun };
  }
  return out ?? words;
}

/**
 * Lifts budget, slippage and deadline clauses out of one step's words, returning the rest.
 * Works on any position, so "with 0.5% slippage swap …" and "swap … with 0.5% slippage" agree.
 */
export function extractClauses(
  words: Word[],
  tokens: TokenList,
): { words: Word[]; clauses: Clauses } {
  const clauses: Clauses = {};
  let rest = correctClauseNouns(words);
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word.kind !== "word") {
      if (word.kind === "number") {
        const deadline = readDeadline(rest, i);
        if (deadline) {
          if (deadline.seconds <= 0 || deadline.seconds > 86_400) {
            throw refuse("The deadline must be between 1 second and 24 hours", {
              reason: "invalid_amount",
            });
          }
          clauses.deadlineSeconds = deadline.seconds;
          rest = [...rest.slice(0, deadline.start), ...rest.slice(deadline.end)];
          i = deadline.start - 1;
        }
      }
      continue;
    }
    if (word.lower === "slippage") {
      const slippage = readSlippage(rest, i);
      if (!slippage) {
        throw refuse('Slippage needs a percentage, e.g. "with 0.5% slippage"', {
          reason: "incomplete",
        });
      }
      clauses.slippageBps = slippage.bps;
      rest = [...rest.slice(0, slippage.start), ...rest.slice(slippage.end)];
      i = slippage.start - 1;
      continue;
    }
    {
      const phrase = matchAt(budgetIndex, rest, i);
      if (!phrase) continue;
      if (clauses.budget) {
        throw refuse("The command names two budgets; give one", {
          reason: "incomplete",
        });
      }
      const { budget, end } = readBudget(rest, i + phrase.length, tokens);
      clauses.budget = budget;
      let start = i;
      while (start > 0 && joiners.has(rest[start - 1]!.lower)) start--;
      rest = [...rest.slice(0, start), ...rest.slice(end)];
      i = start - 1;
    }
  }
  return { words: rest, clauses };
}
