import type { BalanceIntent } from "../intent.js";
import { resolveToken, type TokenList } from "../tokens.js";
import { typoMatcher } from "./lexicon.js";
import { readTokenName } from "./readAmount.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

const balanceWords = new Set([
  "what",
  "what's",
  "whats",
  "is",
  "are",
  "my",
  "the",
  "balance",
  "balances",
  "how",
  "much",
  "many",
  "do",
  "does",
  "i",
  "we",
  "have",
  "own",
  "hold",
  "check",
  "show",
  "me",
  "of",
  "for",
  "wallet",
  "wallets",
  "in",
  "get",
  "display",
  "tell",
  "about",
  "current",
  "all",
  "token",
  "tokens",
  "and",
  "account",
  "accounts",
  "funds",
  "holdings",
  "at",
  "address",
  "view",
  "left",
  "got",
  "it",
  "our",
  "you",
  "there",
  "on",
  "a",
  "an",
  "your",
  "agent's",
  "agent",
  "available",
  "remaining",
  "this",
  "that",
  "held",
  "by",
  "see",
  "lookup",
  "look",
  "up",
  "with",
  "currently",
  "right",
  "now",
  "or",
  "portfolio",
  "amount",
  "amounts",
  "coins",
  "coin",
  "much's",
  "list",
  "give",
  "bal",
  "money",
  "cash",
  "worth",
  "value",
  "total",
  "any",
  "enough",
  "hows",
  "how's",
  "looking",
]);

/** Nouns of a balance request, matched with one typo ("ballance", "holdngs", "portfolo"). */
export const balanceNoun = typoMatcher([
  "balance",
  "balances",
  "holdings",
  "portfolio",
  "wallet",
  "funds",
]);

/** "what's my balance", "how much USDC do I have", "balance of 0x…", "check my CRO and USDC balance". */
export function parseBalance(words: Word[], tokens: TokenList): BalanceIntent {
  const symbols: string[] = [];
  let address: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.kind === "address") {
      if (address && address.toLowerCase() !== word.lower) {
        throw refuse("Ask for one address at a time", {
          reason: "invalid_recipient",
        });
      }
      address = word.raw;
      continue;
    }
    if (word.kind !== "word") {
      throw refuse(`Unexpected "${word.raw}" in a balance request`, {
        reason: "unrecognized",
      });
    }
    if (word.lower.startsWith("0x")) {
      throw refuse(`"${word.raw}" is not a valid address (expected 0x and 40 hex digits)`, {
        reason: "invalid_recipient",
      });
    }
    const name = readTokenName(words, i, tokens);
    if (name) {
      if (!symbols.includes(name.token.symbol)) symbols.push(name.token.symbol);
      i = name.end - 1;
      continue;
    }
    if (balanceWords.has(word.lower) || balanceNoun(word.lower)) continue;
    // An unknown word where a token would be ("how much FOO do I have", "XYZ balance") is a
    // token we do not know, not filler: say so rather than show every balance.
    const previous = words[i - 1]?.lower;
    const next = words[i + 1]?.lower;
    if (
      previous === "much" ||
      next === "balance" ||
      next === "balances" ||
      previous === "my" ||
      next === "do"
    ) {
      resolveToken(tokens, word.raw);
    }
    throw refuse(`Unexpected "${word.raw}" in a balance request`, {
      reason: "unrecognized",
      suggestions: ['e.g. "what\'s my balance", "how much USDC do I have", "balance of 0x…"'],
    });
  }
  return { kind: "balance", tokens: symbols, ...(address ? { address } : {}) };
}
