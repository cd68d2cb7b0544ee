import { formatDecimal, parseDecimal } from "../decimal.js";
import { readNumberWords } from "../grammar/readNumberWords.js";
import { tokenize, type Word } from "../grammar/tokenize.js";
import { STABLECOINS, type TokenList } from "../tokens.js";

/**
 * What a command's text says, normalized so a model's reading of it can be compared value by
 * value (lib/agent/model/listUngrounded.ts): the numbers, addresses, URLs, token names and words
 * the user actually wrote.
 */
export interface CommandText {
  /**
   * Each number said, as a canonical decimal ("10.0" and "10" are "10"), with how many times it
   * is said still unclaimed: one mention grounds one amount, so a model cannot turn "send 5 USDC"
   * into two sends of 5.
   */
  numbers: Map<string, number>;
  /** Every number said, claimed or not (slippage may restate an amount's number). */
  allNumbers: ReadonlySet<string>;
  /** 0x addresses, lower-case (addresses compare without case). */
  addresses: ReadonlySet<string>;
  /** URLs as the URL parser writes them (lower-case scheme and host). */
  urls: ReadonlySet<string>;
  /** Symbols of the tokens the text names by symbol or alias (a dollar amount names stablecoins). */
  tokens: ReadonlySet<string>;
  /** The text's words, lower-case letters and digits only, in order: names are looked up here. */
  words: ReadonlyArray<string>;
}

/** Words that name dollars, so any USD stablecoin the model chose for them is one the text named. */
const dollarWords = new Set(["usd", "dollar", "dollars", "buck", "bucks", "cent", "cents"]);

/** The canonical form of a decimal string, or undefined when it is not one. */
export function canonicalDecimal(value: string): string | undefined {
  try {
    return formatDecimal(parseDecimal(value, 36), 36);
  } catch {
    return undefined;
  }
}

/** A URL as the URL parser writes it, or undefined when it is not one. */
export function canonicalUrl(value: string): string | undefined {
  try {
    return new URL(value).href;
  } catch {
    return undefined;
  }
}

/** Lower-case words of letters and digits: "Market-Data API!" → market, data, api. */
export function plainWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Whether `needle` occurs in `haystack` as consecutive words. */
export function containsWords(
  haystack: ReadonlyArray<string>,
  needle: ReadonlyArray<string>,
): boolean {
  if (needle.length === 0) return false;
  for (let i = 0; i + needle.length <= haystack.length; i++) {
    if (needle.every((word, k) => haystack[i + k] === word)) return true;
  }
  return false;
}

/**
 * The grammar's words for the text. The text reached the model because the grammar did not
 * recognise it, so it tokenized; should that ever fail, nothing is read from it and every value a
 * model gives is then one the text does not say (the safe side).
 */
function readWords(text: string, tokens: TokenList): Word[] {
  try {
    return readNumberWords(tokenize(text), tokens);
  } catch {
    try {
      return tokenize(text);
    } catch {
      return [];
    }
  }
}

/** Reads what a command's text says, for comparing a model's reading with it. */
export function readCommandText(text: string, tokens: TokenList): CommandText {
  const words = readWords(text, tokens);
  const numbers = new Map<string, number>();
  const addresses = new Set<string>();
  const urls = new Set<string>();
  let dollars = false;
  for (const word of words) {
    if (word.kind === "number" || word.kind === "usd" || word.kind === "percent") {
      const value = word.value === undefined ? undefined : canonicalDecimal(word.value);
      if (value !== undefined) numbers.set(value, (numbers.get(value) ?? 0) + 1);
      if (word.kind === "usd") dollars = true;
    } else if (word.kind === "address") {
      addresses.add(word.lower);
    } else if (word.kind === "url") {
      const url = canonicalUrl(word.raw);
      if (url) urls.add(url);
    } else if (dollarWords.has(word.lower)) {
      dollars = true;
    }
  }
  const lowerWords = words.map((word) => word.lower);
  const named = new Set<string>();
  for (const token of tokens) {
    const names = [token.symbol, ...(token.aliases ?? [])].map((name) =>
      name.toLowerCase().split(/\s+/),
    );
    const stable = dollars && STABLECOINS.has(token.symbol.toUpperCase());
    if (stable || names.some((name) => containsWords(lowerWords, name))) named.add(token.symbol);
  }
  return {
    numbers,
    allNumbers: new Set(numbers.keys()),
    addresses,
    urls,
    tokens: named,
    words: plainWords(text),
  };
}
