import { DecimalFormatError, parseDecimal } from "../decimal.js";
import {
  findToken,
  multiWordTokenNames,
  resolveToken,
  STABLECOINS,
  type TokenInfo,
  type TokenList,
  usdStablecoin,
} from "../tokens.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

/** An amount as written: decimal text plus the token (or USD) it is in, and where it ends. */
export interface AmountMatch {
  /** Decimal text as typed, without separators ("0.10"). */
  value: string;
  token?: TokenInfo;
  /** Set when the amount is in dollars ("$10", "10 usd"). */
  usd?: boolean;
  /** A word in token position that is no known token (reported with a suggestion by the caller). */
  unknownToken?: string;
  start: number;
  end: number;
}

const usdWords = new Set(["usd", "dollar", "dollars", "bucks", "buck"]);
const centWords = new Set(["cent", "cents"]);

/** "10" cents → "0.10" dollars, by moving the decimal point (no arithmetic on floats). */
function centsToDollars(value: string): string {
  const [whole = "", fraction = ""] = value.split(".");
  const digits = whole.padStart(3, "0");
  return `${digits.slice(0, -2)}.${digits.slice(-2)}${fraction}`;
}

/** Words that may follow a bare number without being a token name. */
const notTokenWords = new Set([
  "to",
  "for",
  "into",
  "in",
  "with",
  "and",
  "then",
  "of",
  "worth",
  "from",
  "on",
  "at",
  "per",
  "each",
  "using",
  "via",
  "as",
  "or",
  "max",
  "maximum",
  "minutes",
  "minute",
  "mins",
  "min",
  "seconds",
  "second",
  "secs",
  "sec",
  "hours",
  "hour",
  "hrs",
  "hr",
  "stars",
  "star",
  "bps",
  "bp",
  "percent",
  "slippage",
  "the",
  "a",
  "an",
  "tokens",
  "token",
  "coins",
  "coin",
]);

/** Reads a token name at `index` (symbol, alias or two-word alias); returns it and the next index. */
export function readTokenName(
  words: ReadonlyArray<Word>,
  index: number,
  tokens: TokenList,
): { token: TokenInfo; end: number } | undefined {
  const word = words[index];
  if (word?.kind !== "word") return undefined;
  const next = words[index + 1];
  if (next && next.kind === "word") {
    const pair = `${word.lower} ${next.lower}`;
    if (multiWordTokenNames(tokens).includes(pair)) {
      const token = findToken(tokens, pair);
      if (token) return { token, end: index + 2 };
    }
  }
  const token = findToken(tokens, word.lower);
  return token ? { token, end: index + 1 } : undefined;
}

/** Reads "10 CRO", "0.5 usdc", "$10", "10 dollars" or "USDC 5" starting at `index`. */
export function readAmount(
  words: ReadonlyArray<Word>,
  index: number,
  tokens: TokenList,
): AmountMatch | undefined {
  const word = words[index];
  if (!word) return undefined;
  if (word.kind === "usd") {
    // "$5 USDC": dollars named in a stablecoin are that stablecoin. "$5 CRO" may mean five CRO
    // or five dollars' worth of CRO: refused.
    const name = readTokenName(words, index + 1, tokens);
    if (name && STABLECOINS.has(name.token.symbol.toUpperCase()))
      return { value: word.value!, token: name.token, start: index, end: name.end };
    if (name) {
      throw refuse(`"${word.raw} ${words[index + 1]!.raw}" is unclear`, {
        reason: "invalid_amount",
        suggestions: [
          `Write "${word.value} ${name.token.symbol}", or "${word.raw}" alone to pay in a USD stablecoin`,
        ],
      });
    }
    return { value: word.value!, usd: true, start: index, end: index + 1 };
  }
  if (word.kind === "word") {
    // "usdc 5": a token name followed by a number.
    const name = readTokenName(words, index, tokens);
    const after = name ? words[name.end] : undefined;
    if (name && after?.kind === "number") {
      return { value: after.value!, token: name.token, start: index, end: name.end + 1 };
    }
    return undefined;
  }
  if (word.kind !== "number") return undefined;
  const next = words[index + 1];
  if (next?.kind !== "word") return { value: word.value!, start: index, end: index + 1 };
  // Token names first: "usd coin" is USDC, not dollars.
  const name = readTokenName(words, index + 1, tokens);
  if (name) return { value: word.value!, token: name.token, start: index, end: name.end };
  if (usdWords.has(next.lower))
    return { value: word.value!, usd: true, start: index, end: index + 2 };
  if (centWords.has(next.lower))
    return { value: centsToDollars(word.value!), usd: true, start: index, end: index + 2 };
  if (notTokenWords.has(next.lower)) return { value: word.value!, start: index, end: index + 1 };
  return { value: word.value!, unknownToken: next.raw, start: index, end: index + 2 };
}

/** Finds the first amount in words[from, to). */
export function findAmount(
  words: ReadonlyArray<Word>,
  tokens: TokenList,
  from = 0,
  to = words.length,
): AmountMatch | undefined {
  for (let i = from; i < to; i++) {
    const kind = words[i]!.kind;
    if (kind === "usd") return readAmount(words, i, tokens);
    if (kind !== "number") continue;
    const match = readAmount(words, i, tokens);
    if (match?.token || match?.usd || match?.unknownToken) return match;
    // "USDC 5": the token named just before the number.
    for (const back of [1, 2]) {
      if (i - back < from) break;
      const before = readAmount(words, i - back, tokens);
      if (before?.token && before.end === i + 1) return before;
    }
    return match;
  }
  return undefined;
}

/** Converts a matched token amount to base units, with errors that say what to fix. */
export function toBaseUnits(
  value: string,
  token: TokenInfo,
  options: { allowZero?: boolean } = {},
): string {
  let units: bigint;
  try {
    units = parseDecimal(value, token.decimals);
  } catch (error) {
    if (error instanceof DecimalFormatError) {
      throw refuse(`Invalid ${token.symbol} amount: ${error.message}`, {
        reason: "invalid_amount",
        suggestions: [`${token.symbol} has ${token.decimals} decimals`],
        cause: error,
      });
    }
    throw error;
  }
  if (units === 0n && !options.allowZero) {
    throw refuse(`The ${token.symbol} amount must be greater than zero`, {
      reason: "invalid_amount",
    });
  }
  return units.toString();
}

/** Validates a dollar amount ("10", "0.5") and returns it as a plain decimal string. */
export function toUsd(value: string): string {
  try {
    const units = parseDecimal(value, 18);
    if (units === 0n) throw new DecimalFormatError("zero");
  } catch (error) {
    throw refuse(`Invalid dollar amount "$${value}"`, {
      reason: "invalid_amount",
      cause: error,
    });
  }
  const [whole = "0", fraction = ""] = value.split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${BigInt(whole || "0")}${trimmed ? `.${trimmed}` : ""}`;
}

/** A token amount read from the command; `usd` is set when the user said dollars. */
export interface ResolvedAmount {
  token: TokenInfo;
  /** Base units of `token`. */
  amount: string;
  /** The dollar figure as said ("0.1"), when the amount was given in dollars. */
  usd?: string;
}

/**
 * Turns a matched amount into base units of a token. Dollars ("$10", "10 dollars", "10 cents")
 * become that many units of the USD stablecoin usdStablecoin picks, and say so in `usd`. Unknown
 * tokens and amounts without a token are refused with a hint using `example`.
 */
export function resolveAmount(
  match: AmountMatch,
  tokens: TokenList,
  example: (amount: string) => string,
): ResolvedAmount {
  if (match.unknownToken) resolveToken(tokens, match.unknownToken);
  if (match.usd) {
    const stablecoin = usdStablecoin(tokens);
    if (!stablecoin) {
      throw refuse("No USD stablecoin is available to pay dollars with", {
        reason: "unknown_token",
        suggestions: [`Name a token, e.g. "${example(`${match.value} CRO`)}"`],
      });
    }
    return {
      token: stablecoin,
      amount: toBaseUnits(match.value, stablecoin),
      usd: toUsd(match.value),
    };
  }
  if (!match.token) {
    throw refuse(`Which token should the ${match.value} be in?`, {
      reason: "incomplete",
      suggestions: [`e.g. "${example(`${match.value} USDC`)}"`],
    });
  }
  return { token: match.token, amount: toBaseUnits(match.value, match.token) };
}
