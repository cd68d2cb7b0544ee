import { CommandParseError } from "../errors.js";
import type { Intent } from "../intent.js";
import { resolveToken, type TokenInfo, type TokenList } from "../tokens.js";
import {
  type AmountMatch,
  findAmount,
  readAmount,
  readTokenName,
  toBaseUnits,
} from "./readAmount.js";
import { readRecipient } from "./readRecipient.js";
import type { Word } from "./tokenize.js";

const capPhrases: string[][] = [
  ["for", "at", "most"],
  ["for", "up", "to"],
  ["for", "no", "more", "than"],
  ["no", "more", "than"],
  ["up", "to"],
  ["at", "most"],
  ["max", "of"],
  ["maximum", "of"],
  ["max"],
  ["maximum"],
  ["capped", "at"],
  ["limit"],
];

/** Words meaning "the service the discover step found". */
const boundReferences = new Set([
  "it",
  "one",
  "them",
  "that",
  "cheapest",
  "best",
  "first",
  "top",
  "winner",
  "result",
  "chosen",
  "selected",
]);

function tokenAmount(
  match: AmountMatch,
  tokens: TokenList,
  what: string,
): { token: TokenInfo; amount: string } {
  if (match.unknownToken) resolveToken(tokens, match.unknownToken);
  if (match.usd) {
    throw new CommandParseError(`Say which token to ${what} with, not dollars`, {
      reason: "incomplete",
      suggestions: [`e.g. "${what} ${match.value} USDC to …"`],
    });
  }
  if (!match.token) {
    throw new CommandParseError(`Which token should the ${match.value} be in?`, {
      reason: "incomplete",
      suggestions: [`e.g. "${what} ${match.value} USDC to …"`],
    });
  }
  return { token: match.token, amount: toBaseUnits(match.value, match.token) };
}

/**
 * pay / send / transfer <amount> <token> to <address | service | URL>, "pay for <service>",
 * "pay <service> <amount>", optional cap ("up to 0.5 USDC"). `verb` is "pay" or "send".
 */
export function parsePayment(verb: "pay" | "send", input: Word[], tokens: TokenList): Intent {
  let words = input;
  // Cap: "up to 0.5 USDC" → maxAmount.
  let cap: { token: TokenInfo; amount: string } | undefined;
  for (let i = 0; i < words.length && !cap; i++) {
    const phrase = capPhrases.find((p) => p.every((part, k) => words[i + k]?.lower === part));
    if (!phrase) continue;
    const match = readAmount(words, i + phrase.length, tokens);
    if (!match) continue;
    cap = tokenAmount(match, tokens, verb);
    words = [...words.slice(0, i), ...words.slice(match.end)];
  }
  const match = findAmount(words, tokens);
  if (!match) {
    const vague = words.find((w) => ["everything", "all", "half", "max", "rest"].includes(w.lower));
    if (vague && words.indexOf(vague) < 2) {
      throw new CommandParseError(
        `"${vague.raw}" is not an exact amount; give a number and a token`,
        {
          reason: "incomplete",
          suggestions: [`e.g. "${verb} 5 USDC to …"`],
        },
      );
    }
    // "send USDC to 0x…": a token without an amount.
    const named = words.find(
      (w) => w.kind === "word" && readTokenName(words, words.indexOf(w), tokens),
    );
    if (named && words.indexOf(named) < 2) {
      throw new CommandParseError(
        `How much ${named.raw} should be ${verb === "pay" ? "paid" : "sent"}?`,
        {
          reason: "incomplete",
          suggestions: [`e.g. "${verb} 5 ${named.raw} to …"`],
        },
      );
    }
  }
  const exact = match ? tokenAmount(match, tokens, verb) : undefined;
  const recipientWords = match
    ? [...words.slice(0, match.start), ...words.slice(match.end)]
    : words;
  if (exact && cap && exact.token.symbol !== cap.token.symbol) {
    throw new CommandParseError("The amount and the cap are in different tokens", {
      reason: "invalid_amount",
    });
  }

  // "pay for it" / "pay the cheapest one": bound to the preceding discover step by the planner.
  const meaningful = recipientWords.filter(
    (w) =>
      !["for", "to", "the", "a", "of", "them", "service", "api", "one"].includes(w.lower) ||
      boundReferences.has(w.lower),
  );
  if (
    verb === "pay" &&
    meaningful.length > 0 &&
    meaningful.every(
      (w) => boundReferences.has(w.lower) || ["one", "service", "api"].includes(w.lower),
    )
  ) {
    return {
      kind: "pay",
      ...(exact ? { amount: exact.amount, token: exact.token.symbol } : {}),
      ...(cap ? { maxAmount: cap.amount, token: cap.token.symbol } : {}),
    };
  }

  const recipient = readRecipient(recipientWords);
  if (!recipient) {
    throw new CommandParseError(
      `Who should receive the ${verb === "pay" ? "payment" : "transfer"}?`,
      {
        reason: "incomplete",
        suggestions: ["Add a recipient: an 0x address, a service name or a URL"],
      },
    );
  }
  if (verb === "send" || recipient.type === "address") {
    const amount = exact ?? cap;
    if (!amount) {
      throw new CommandParseError("How much should be sent, and in which token?", {
        reason: "incomplete",
        suggestions: ['e.g. "send 5 USDC to 0x…"'],
      });
    }
    return { kind: "transfer", token: amount.token.symbol, amount: amount.amount, to: recipient };
  }
  return {
    kind: "pay",
    ...(recipient.type === "url" ? { url: recipient.url } : { service: recipient.name }),
    ...(exact ? { amount: exact.amount, token: exact.token.symbol } : {}),
    ...(cap ? { maxAmount: cap.amount, token: cap.token.symbol } : {}),
  };
}
