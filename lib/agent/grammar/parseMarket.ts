import type { CommandParseError } from "../errors.js";
import type { BetIntent, MarketRef, RedeemIntent, SellSharesIntent } from "../intent.js";
import { findToken, type TokenList } from "../tokens.js";
import { readAmount, resolveAmount } from "./readAmount.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

const MARKET_EXAMPLE = '"bet 5 USDC on yes in cro-above-0.10-dec31"';

/** Words around the parts of a market command that carry no meaning of their own. */
const frame = new Set([
  "a",
  "an",
  "the",
  "my",
  "our",
  "all",
  "of",
  "worth",
  "on",
  "in",
  "for",
  "at",
  "from",
  "with",
  "using",
  "to",
  "that",
  "it",
  "will",
  "resolve",
  "resolves",
  "bet",
  "bets",
  "shares",
  "share",
  "position",
  "positions",
  "outcome",
  "side",
  "tokens",
  "market",
  "prediction",
  "winnings",
  "payout",
  "payouts",
]);

const vagueAmounts = new Set(["all", "everything", "max", "half", "rest"]);

/** Where a buy/sell step names an outcome ("of no on", "yes shares", "yes in"). */
const outcomeBefore = new Set(["on", "of", "my", "all", "the"]);
const outcomeAfter = new Set(["shares", "share", "position", "positions", "in", "on", "for", "at"]);

/**
 * Whether a buy or sell step is about a prediction market rather than a token swap: it names
 * "yes" or "no" as an outcome ("buy 5 USDC of no on …", "sell my yes shares in …"). "no more
 * than" is not an outcome.
 */
export function isMarketTrade(words: ReadonlyArray<Word>): boolean {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.lower !== "yes" && word.lower !== "no") continue;
    const before = words[i - 1]?.lower;
    const after = words[i + 1]?.lower;
    if (i === 0 || (before && outcomeBefore.has(before)) || (after && outcomeAfter.has(after)))
      return true;
  }
  return false;
}

interface MarketParts {
  market?: MarketRef;
  outcome?: "yes" | "no";
  /** Words left over once the frame, the outcome and the market are taken. */
  rest: Word[];
}

function incompleteMarket(): CommandParseError {
  return refuse(
    "Which market? Name it by its short name (like cro-above-0.10-dec31) or quote its question",
    {
      reason: "incomplete",
      suggestions: [`e.g. ${MARKET_EXAMPLE}`, "GET /api/markets lists them"],
    },
  );
}

/**
 * Picks the outcome and the market out of a step: the market is a quoted question or one word
 * that is not a token symbol ("cro-above-0.10-dec31"); several unquoted words are refused
 * rather than guessed.
 */
function readMarketParts(words: ReadonlyArray<Word>, tokens: TokenList): MarketParts {
  const parts: MarketParts = { rest: [] };
  const names: Word[] = [];
  for (const word of words) {
    if (word.kind === "quoted") {
      if (parts.market) throw incompleteMarket();
      parts.market = { type: "question", question: word.raw };
      continue;
    }
    if (word.kind === "word" && (word.lower === "yes" || word.lower === "no")) {
      if (parts.outcome && parts.outcome !== word.lower) {
        throw refuse("Choose one outcome: yes or no", {
          reason: "incomplete",
          suggestions: [`e.g. ${MARKET_EXAMPLE}`],
        });
      }
      parts.outcome = word.lower;
      continue;
    }
    if (word.kind === "word" && frame.has(word.lower)) continue;
    parts.rest.push(word);
    if (word.kind === "word" && !findToken(tokens, word.lower)) names.push(word);
  }
  if (!parts.market && names.length > 0) {
    if (names.length > 1 || parts.rest.some((w) => w.kind === "word" && findToken(tokens, w.lower)))
      throw incompleteMarket();
    parts.market = { type: "name", name: names[0]!.raw };
    parts.rest = parts.rest.filter((w) => w !== names[0]);
  }
  return parts;
}

/**
 * "bet 5 USDC on yes in <market>", "buy 5 USDC of no on <market>", "buy yes in <market> for
 * 5 USDC", "place a $5 bet on yes in <market>": buy outcome shares for an exact collateral amount.
 */
export function parseBet(words: Word[], tokens: TokenList): BetIntent {
  const vague = words.find((w) => vagueAmounts.has(w.lower));
  let amountAt = words.findIndex((w) => w.kind === "number" || w.kind === "usd");
  if (amountAt < 0)
    amountAt = words.findIndex((w, i) => w.kind === "word" && readAmount(words, i, tokens));
  if (amountAt < 0) {
    throw refuse(
      vague
        ? `"${vague.raw}" is not an exact amount; say how much to bet`
        : "How much should be bet, and in which token?",
      { reason: "incomplete", suggestions: [`e.g. ${MARKET_EXAMPLE}`] },
    );
  }
  const match = readAmount(words, amountAt, tokens)!;
  const shares = match.unknownToken?.toLowerCase();
  if (shares === "yes" || shares === "no") {
    // "buy 10 yes shares": a number of shares, not what to spend.
    throw refuse(`Say how much to spend on ${shares} shares, not how many shares`, {
      reason: "incomplete",
      suggestions: [`e.g. ${MARKET_EXAMPLE}`],
    });
  }
  const amount = resolveAmount(match, tokens, (value) => `bet ${value} on yes in …`);
  const parts = readMarketParts(
    [...words.slice(0, match.start), ...words.slice(match.end)],
    tokens,
  );
  if (!parts.outcome) {
    throw refuse("Bet on yes or no?", {
      reason: "incomplete",
      suggestions: [`e.g. ${MARKET_EXAMPLE}`],
    });
  }
  if (!parts.market) throw incompleteMarket();
  if (parts.rest.length > 0) {
    throw refuse(`Unexpected "${parts.rest.map((w) => w.raw).join(" ")}" in a bet`, {
      reason: "unrecognized",
      suggestions: [`e.g. ${MARKET_EXAMPLE}`],
    });
  }
  return {
    kind: "bet",
    market: parts.market,
    outcome: parts.outcome,
    amount: amount.amount,
    token: amount.token.symbol,
    ...(amount.usd ? { usd: amount.usd } : {}),
  };
}

/** "sell my yes shares in <market>", "sell all my no shares in <market>": sells every share. */
export function parseSellShares(words: Word[], tokens: TokenList): SellSharesIntent {
  if (words.some((w) => w.kind === "number" || w.kind === "usd")) {
    throw refuse("Only selling all the shares of an outcome is available", {
      reason: "unsupported",
      suggestions: ['e.g. "sell my yes shares in cro-above-0.10-dec31"'],
    });
  }
  const parts = readMarketParts(words, tokens);
  if (!parts.outcome) {
    throw refuse("Sell the yes shares or the no shares?", {
      reason: "incomplete",
      suggestions: ['e.g. "sell my yes shares in cro-above-0.10-dec31"'],
    });
  }
  if (!parts.market) throw incompleteMarket();
  if (parts.rest.length > 0) {
    throw refuse(`Unexpected "${parts.rest.map((w) => w.raw).join(" ")}"`, {
      reason: "unrecognized",
      suggestions: ['e.g. "sell my yes shares in cro-above-0.10-dec31"'],
    });
  }
  return { kind: "sellShares", market: parts.market, outcome: parts.outcome };
}

/** "redeem <market>", "redeem my winnings from <market>", "claim my winnings from <market>". */
export function parseRedeem(words: Word[], tokens: TokenList): RedeemIntent {
  const parts = readMarketParts(words, tokens);
  if (!parts.market) throw incompleteMarket();
  if (parts.rest.length > 0) {
    throw refuse(`Unexpected "${parts.rest.map((w) => w.raw).join(" ")}"`, {
      reason: "unrecognized",
      suggestions: ['e.g. "redeem cro-above-0.10-dec31"'],
    });
  }
  return { kind: "redeem", market: parts.market };
}
