import type { SwapAllIntent, SwapIntent } from "../intent.js";
import { resolveToken, type TokenInfo, type TokenList } from "../tokens.js";
import { checkSwapTokens } from "./checkSwapTokens.js";
import { readAmount, readTokenName, toBaseUnits } from "./readAmount.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

const noise = new Set([
  "my",
  "of",
  "some",
  "worth",
  "the",
  "tokens",
  "token",
  "coins",
  "a",
  "an",
  "me",
  "your",
]);
const venueWords = new Set([
  "on",
  "via",
  "vvs",
  "dex",
  "at",
  "market",
  "price",
  "rate",
  "finance",
  "using",
  "through",
]);
const swapConnectors = new Set(["for", "to", "into", "->", "=>", "in"]);
const buyConnectors = new Set(["with", "using", "for", "from", "paying", "by"]);

interface Side {
  token: TokenInfo;
  amount?: string;
  /** "all my CRO", "max CRO": the whole balance. */
  all?: boolean;
}

const wholeWords = new Set(["all", "max", "entire", "whole"]);

function readSide(words: Word[], tokens: TokenList, role: string): Side {
  const rest = words.filter((w) => !noise.has(w.lower));
  if (rest.length === 0) {
    throw refuse(`Which token should be ${role}?`, {
      reason: "incomplete",
      suggestions: ['e.g. "swap 10 CRO for USDC" or "buy 100 USDC with CRO"'],
    });
  }
  let first = rest[0]!;
  let all = false;
  if (wholeWords.has(first.lower) && rest.length > 1) {
    // "all CRO", "all of my CRO" (noise already dropped "of" and "my").
    all = true;
    rest.shift();
    first = rest[0]!;
  }
  if (first.lower === "everything" || first.lower === "half" || wholeWords.has(first.lower)) {
    throw refuse(`"${first.raw}" is not an amount I can swap exactly; give a number`, {
      reason: "incomplete",
      suggestions: ['e.g. "swap 10 CRO for USDC" or "swap all my CRO for USDC"'],
    });
  }
  if (all && first.kind !== "word") {
    throw refuse(`Swap all of which token? Give either "all" or an amount`, {
      reason: "incomplete",
      suggestions: ['e.g. "swap all my CRO for USDC"'],
    });
  }
  if (first.kind === "usd") {
    throw refuse("Swap amounts must be in a token, not dollars", {
      reason: "incomplete",
      suggestions: ['e.g. "swap 10 CRO for USDC" or "buy 10 USDC with CRO"'],
    });
  }
  let side: Side;
  let end: number;
  if (first.kind === "number") {
    const match = readAmount(rest, 0, tokens)!;
    if (match.unknownToken) resolveToken(tokens, match.unknownToken);
    if (match.usd) {
      throw refuse("Swap amounts must be in a token, not dollars", {
        reason: "incomplete",
      });
    }
    if (!match.token) {
      throw refuse(`Which token is the ${match.value} in?`, {
        reason: "incomplete",
        suggestions: ['e.g. "swap 10 CRO for USDC"'],
      });
    }
    side = { token: match.token, amount: toBaseUnits(match.value, match.token) };
    end = match.end;
  } else {
    const name = readTokenName(rest, 0, tokens);
    if (!name) {
      if (first.kind === "word") resolveToken(tokens, first.raw);
      throw refuse(`Expected a token where "${first.raw}" is`, {
        reason: "unrecognized",
      });
    }
    side = all ? { token: name.token, all } : { token: name.token };
    end = name.end;
    if (all && rest[end]?.lower === "balance") end++;
  }
  const extra = rest.slice(end).filter((w) => !venueWords.has(w.lower));
  if (extra.length > 0) {
    const word = extra[0]!;
    if (word.kind === "word" && extra.length === 1 && !side.amount) resolveToken(tokens, word.raw);
    throw refuse(`Unexpected "${extra.map((w) => w.raw).join(" ")}" in the swap`, {
      reason: "unrecognized",
      suggestions: ['e.g. "swap 10 CRO for USDC" or "buy 100 USDC with CRO"'],
    });
  }
  return side;
}

/**
 * swap / exchange / trade / convert / sell <amount> <token> for|to|into <token>,
 * swap <token> for <amount> <token> (exact out), buy <amount> <token> with <token> (exact out),
 * buy <token> with <amount> <token> (exact in).
 */
export function parseSwap(
  verb: "swap" | "sell" | "buy",
  words: Word[],
  tokens: TokenList,
): SwapIntent | SwapAllIntent {
  const connectors = verb === "buy" ? buyConnectors : swapConnectors;
  // The connector is the first one after something that is not itself noise.
  let split = -1;
  for (let i = 1; i < words.length; i++) {
    if (connectors.has(words[i]!.lower)) {
      split = i;
      break;
    }
  }
  if (split < 0) {
    const side = readSide(words, tokens, verb === "buy" ? "bought" : "sold");
    throw refuse(
      verb === "buy"
        ? `Which token should pay for the ${side.token.symbol}?`
        : `Which token should the ${side.token.symbol} be swapped into?`,
      {
        reason: "incomplete",
        suggestions: [
          verb === "buy"
            ? `e.g. "buy 100 ${side.token.symbol} with CRO"`
            : `e.g. "swap 10 ${side.token.symbol} for USDC"`,
        ],
      },
    );
  }
  const left = readSide(words.slice(0, split), tokens, verb === "buy" ? "bought" : "sold");
  const right = readSide(words.slice(split + 1), tokens, verb === "buy" ? "paid with" : "bought");
  const sold = verb === "buy" ? right : left;
  const bought = verb === "buy" ? left : right;
  checkSwapTokens(sold.token.symbol, bought.token.symbol);
  if (bought.all) {
    throw refuse(`"all" can only be said of the token sold`, {
      reason: "incomplete",
      suggestions: [`e.g. "swap all my ${sold.token.symbol} for ${bought.token.symbol}"`],
    });
  }
  if (sold.all) {
    if (bought.amount) {
      throw refuse("Give either all of the token sold or an amount to buy, not both", {
        reason: "invalid_amount",
      });
    }
    return { kind: "swapAll", tokenIn: sold.token.symbol, tokenOut: bought.token.symbol };
  }
  if (sold.amount && bought.amount) {
    throw refuse("Give either the amount to sell or the amount to buy, not both", {
      reason: "invalid_amount",
    });
  }
  if (!sold.amount && !bought.amount) {
    throw refuse(`How much ${sold.token.symbol} should be swapped?`, {
      reason: "incomplete",
      suggestions: [`e.g. "swap 10 ${sold.token.symbol} for ${bought.token.symbol}"`],
    });
  }
  return {
    kind: "swap",
    tokenIn: sold.token.symbol,
    tokenOut: bought.token.symbol,
    ...(sold.amount ? { amountIn: sold.amount } : { amountOut: bought.amount }),
  };
}
