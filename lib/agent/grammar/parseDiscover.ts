import type { DiscoverIntent } from "../intent.js";
import { resolveToken, type TokenList } from "../tokens.js";
import { typoMatcher } from "./lexicon.js";
import { readAmount, toBaseUnits } from "./readAmount.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

const pricePhrases: string[][] = [
  ["costing", "less", "than"],
  ["cheaper", "than"],
  ["less", "than"],
  ["priced", "under"],
  ["priced", "below"],
  ["priced", "at", "most"],
  ["for", "less", "than"],
  ["no", "more", "than"],
  ["at", "most"],
  ["up", "to"],
  ["under"],
  ["below"],
  ["max"],
  ["within"],
  ["<="],
  ["<"],
];

const reputationLeads = new Set(["reputation", "rating", "rated", "score", "stars"]);
const comparison: string[][] = [
  ["of", "at", "least"],
  ["at", "least"],
  ["above"],
  ["over"],
  ["greater", "than"],
  ["more", "than"],
  ["higher", "than"],
  ["of"],
  ["from"],
  [">="],
  [">"],
  ["min"],
  ["minimum"],
  ["is"],
];

const stopWords = new Set([
  "me",
  "all",
  "the",
  "some",
  "any",
  "available",
  "services",
  "service",
  "apis",
  "api",
  "providers",
  "provider",
  "tools",
  "tool",
  "endpoints",
  "endpoint",
  "servers",
  "server",
  "that",
  "which",
  "are",
  "is",
  "with",
  "for",
  "a",
  "an",
  "cheap",
  "cheapest",
  "best",
  "top",
  "good",
  "great",
  "what",
  "whats",
  "what's",
  "there",
  "can",
  "i",
  "use",
  "pay",
  "paid",
  "offering",
  "offer",
  "offers",
  "who",
  "sell",
  "sells",
  "selling",
  "provide",
  "providing",
  "of",
  "and",
  "have",
  "has",
  "listed",
  "registered",
  "known",
  "in",
  "category",
  "about",
  "related",
  "to",
  "on",
  "you",
  "find",
  "search",
  "list",
  "show",
  "discover",
  "browse",
  "look",
  "locate",
  "do",
  "does",
  "by",
  "new",
  "popular",
  "x402",
  "paygent",
  "catalog",
  "catalogue",
  "marketplace",
  "options",
  "option",
  "them",
  "where",
  "from",
  "priced",
  "rated",
  "reputation",
  "ones",
  "one",
  "costs",
  "cost",
  "costing",
  "price",
  "prices",
]);

/** Service nouns read with one typo ("servises", "provders"), so they do not become the query. */
const serviceNoun = typoMatcher([
  "services",
  "service",
  "providers",
  "provider",
  "endpoints",
  "endpoint",
  "servers",
  "server",
]);

/**
 * "find market data services under 0.5 USDC", "list MCP services with reputation above 4",
 * "search for weather APIs in category data". Unknown descriptive words become the query.
 */
export function parseDiscover(input: Word[], tokens: TokenList): DiscoverIntent {
  let words = input;
  const intent: DiscoverIntent = { kind: "discover" };

  for (let i = 0; i < words.length; i++) {
    const phrase = pricePhrases.find((p) => p.every((part, k) => words[i + k]?.lower === part));
    if (!phrase) continue;
    const match = readAmount(words, i + phrase.length, tokens);
    if (!match) continue;
    if (match.unknownToken) resolveToken(tokens, match.unknownToken);
    if (!match.token) {
      throw refuse("Name the token of the price limit", {
        reason: "incomplete",
        suggestions: ['e.g. "find market data services under 0.5 USDC"'],
      });
    }
    intent.maxPrice = {
      amount: toBaseUnits(match.value, match.token, { allowZero: true }),
      token: match.token.symbol,
    };
    words = [...words.slice(0, i), ...words.slice(match.end)];
    break;
  }

  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let valueAt = -1;
    let start = i;
    if (reputationLeads.has(word.lower)) {
      let j = i + 1;
      const cmp = comparison.find((p) => p.every((part, k) => words[j + k]?.lower === part));
      if (cmp) j += cmp.length;
      if (words[j]?.kind === "number") valueAt = j;
      if (i > 0 && ["with", "a", "min", "minimum"].includes(words[i - 1]!.lower)) start = i - 1;
      if (start > 0 && words[start - 1]!.lower === "with") start--;
    } else if (
      word.kind === "number" &&
      ["stars", "star", "+"].includes(words[i + 1]?.lower ?? "")
    ) {
      valueAt = i;
    }
    if (valueAt < 0) continue;
    const value = Number(words[valueAt]!.value);
    if (!Number.isFinite(value) || value < 0 || value > 5) {
      throw refuse("Reputation is rated from 0 to 5", { reason: "invalid_amount" });
    }
    intent.minReputation = value;
    let end = valueAt + 1;
    while (
      ["stars", "star", "+", "or", "more", "higher", "better", "and", "up", "above"].includes(
        words[end]?.lower ?? "",
      )
    )
      end++;
    words = [...words.slice(0, start), ...words.slice(end)];
    break;
  }

  // "category media", "in category media", "in the media category".
  const at = words.findIndex((w) => w.lower === "category");
  if (at >= 0) {
    const after = words[at + 1];
    const before = words[at - 1];
    if (after?.kind === "word" && !stopWords.has(after.lower)) {
      intent.category = after.lower;
      const begin = words[at - 1]?.lower === "in" ? at - 1 : at;
      words = [...words.slice(0, begin), ...words.slice(at + 2)];
    } else if (before?.kind === "word" && !stopWords.has(before.lower)) {
      intent.category = before.lower;
      let begin = at - 1;
      while (begin > 0 && ["in", "the", "a"].includes(words[begin - 1]!.lower)) begin--;
      words = [...words.slice(0, begin), ...words.slice(at + 1)];
    }
  }

  const queryWords: string[] = [];
  for (const word of words) {
    if (word.lower === "mcp") {
      intent.mcp = true;
      continue;
    }
    if (word.kind !== "word") {
      throw refuse(`Unexpected "${word.raw}" in a search`, {
        reason: "unrecognized",
        suggestions: ['e.g. "find market data services under 0.5 USDC"'],
      });
    }
    if (!stopWords.has(word.lower) && !serviceNoun(word.lower)) queryWords.push(word.lower);
  }
  if (queryWords.length > 0) intent.query = queryWords.join(" ");
  return intent;
}
