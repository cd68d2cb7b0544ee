import type { Intent, TransferAllIntent } from "../intent.js";
import { resolveToken, type TokenList } from "../tokens.js";
import {
  findAmount,
  type ResolvedAmount,
  readAmount,
  readTokenName,
  resolveAmount,
} from "./readAmount.js";
import { readRecipient } from "./readRecipient.js";
import { refuse } from "./refuse.js";
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

/** Words that stand for a whole balance ("all my CRO", "max CRO", "my entire CRO balance"). */
const wholeWords = new Set(["all", "max", "entire", "whole", "everything"]);
const wholeFrame = new Set(["of", "my", "the", "our", "entire", "whole", "full"]);
const wholeTail = new Set(["balance", "tokens", "token", "coins", "holdings"]);
const notTokens = new Set(["to", "for", "into", "them", "it", "those", "these", "that"]);

/**
 * "all my CRO", "max CRO", "my entire CRO balance" near the start of a payment: the token and
 * the words it spans; undefined when the payment names no whole balance. "everything" and "half"
 * are refused: the first names no token, the second is not what "all" means.
 */
function readWholeBalance(
  words: Word[],
  tokens: TokenList,
  verb: "pay" | "send",
): { token: string; start: number; end: number } | undefined {
  let at = -1;
  for (let i = 0; i < Math.min(words.length, 3); i++) {
    const lower = words[i]!.lower;
    if (lower === "half" || lower === "rest") {
      throw refuse(`"${words[i]!.raw}" is not an exact amount; give a number`, {
        reason: "incomplete",
        suggestions: [`e.g. "${verb} 5 USDC to …"`],
      });
    }
    if (wholeWords.has(lower)) {
      at = i;
      break;
    }
  }
  if (at < 0) return undefined;
  let start = at;
  while (start > 0 && wholeFrame.has(words[start - 1]!.lower)) start--;
  let end = at + 1;
  while (end < words.length && wholeFrame.has(words[end]!.lower)) end++;
  const name = readTokenName(words, end, tokens);
  if (!name) {
    const next = words[end];
    if (next?.kind === "word" && !notTokens.has(next.lower)) {
      resolveToken(tokens, next.raw);
    }
    throw refuse(
      `"${words[at]!.raw}" is not an exact amount; say which token, e.g. "${verb} all my CRO to 0x…"`,
      { reason: "incomplete" },
    );
  }
  end = name.end;
  while (end < words.length && wholeTail.has(words[end]!.lower)) end++;
  return { token: name.token.symbol, start, end };
}

function transferAll(
  words: Word[],
  whole: { token: string; start: number; end: number },
): TransferAllIntent {
  const recipient = readRecipient([...words.slice(0, whole.start), ...words.slice(whole.end)]);
  if (!recipient) {
    throw refuse(`Where should all the ${whole.token} go?`, {
      reason: "incomplete",
      suggestions: [`e.g. "send all my ${whole.token} to 0x…"`],
    });
  }
  if (recipient.type !== "address") {
    // A whole balance to a paid service is never what a price asks for.
    throw refuse("A whole balance can only be sent to an 0x address", {
      reason: "invalid_recipient",
      suggestions: ['Pay services an exact amount, e.g. "pay 0.1 USDC to the weather API"'],
    });
  }
  return {
    kind: "transferAll",
    token: whole.token,
    to: { type: "address", address: recipient.address },
  };
}

/**
 * pay / send / transfer <amount> <token> to <address | service | URL>, "pay for <service>",
 * "pay <service> <amount>", optional cap ("up to 0.5 USDC"). Dollars ("$10") are paid in a USD
 * stablecoin and marked `usd`; "all my CRO" to an address is a transferAll; a URL without an
 * amount or cap is marked `probe`. `verb` is "pay" or "send".
 */
export function parsePayment(
  verb: "pay" | "send",
  input: Word[],
  tokens: TokenList,
): Intent | TransferAllIntent {
  let words = input;
  const example = (amount: string) => `${verb} ${amount} to …`;
  // Cap: "up to 0.5 USDC" → maxAmount.
  let cap: ResolvedAmount | undefined;
  for (let i = 0; i < words.length && !cap; i++) {
    const phrase = capPhrases.find((p) => p.every((part, k) => words[i + k]?.lower === part));
    if (!phrase) continue;
    const match = readAmount(words, i + phrase.length, tokens);
    if (!match) continue;
    cap = resolveAmount(match, tokens, example);
    words = [...words.slice(0, i), ...words.slice(match.end)];
  }
  const match = findAmount(words, tokens);
  if (!match && !cap) {
    const whole = readWholeBalance(words, tokens, verb);
    if (whole) return transferAll(words, whole);
    // "send USDC to 0x…": a token without an amount.
    const named = words.find(
      (w) => w.kind === "word" && readTokenName(words, words.indexOf(w), tokens),
    );
    if (named && words.indexOf(named) < 2) {
      throw refuse(`How much ${named.raw} should be ${verb === "pay" ? "paid" : "sent"}?`, {
        reason: "incomplete",
        suggestions: [`e.g. "${verb} 5 ${named.raw} to …"`],
      });
    }
  }
  const exact = match ? resolveAmount(match, tokens, example) : undefined;
  const recipientWords = match
    ? [...words.slice(0, match.start), ...words.slice(match.end)]
    : words;
  if (exact && cap && exact.token.symbol !== cap.token.symbol) {
    throw refuse("The amount and the cap are in different tokens", {
      reason: "invalid_amount",
    });
  }
  const usd = exact?.usd ?? cap?.usd;

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
      ...(usd ? { usd } : {}),
    };
  }

  const recipient = readRecipient(recipientWords);
  if (!recipient) {
    throw refuse(`Who should receive the ${verb === "pay" ? "payment" : "transfer"}?`, {
      reason: "incomplete",
      suggestions: ["Add a recipient: an 0x address, a service name or a URL"],
    });
  }
  if (verb === "send" || recipient.type === "address") {
    const amount = exact ?? cap;
    if (!amount) {
      throw refuse("How much should be sent, and in which token?", {
        reason: "incomplete",
        suggestions: ['e.g. "send 5 USDC to 0x…"'],
      });
    }
    return {
      kind: "transfer",
      token: amount.token.symbol,
      amount: amount.amount,
      to: recipient,
      ...(amount.usd ? { usd: amount.usd } : {}),
    };
  }
  return {
    kind: "pay",
    ...(recipient.type === "url" ? { url: recipient.url } : { service: recipient.name }),
    ...(exact ? { amount: exact.amount, token: exact.token.symbol } : {}),
    ...(cap ? { maxAmount: cap.amount, token: cap.token.symbol } : {}),
    ...(usd ? { usd } : {}),
    // No price given: the planner must learn it from the resource before paying.
    ...(recipient.type === "url" && !exact && !cap ? { probe: true as const } : {}),
  };
}
