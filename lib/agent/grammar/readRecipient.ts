import type { Recipient } from "../intent.js";
import { addressRefusal } from "./addressRefusal.js";
import { articles } from "./lexicon.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

const leading = new Set(["to", "for", "towards", "at", "via", "on", "into", "over"]);

/** Turns the words naming a payee into an address, URL or service name; undefined when empty. */
export function readRecipient(words: ReadonlyArray<Word>): Recipient | undefined {
  let start = 0;
  while (
    start < words.length &&
    (leading.has(words[start]!.lower) || articles.has(words[start]!.lower))
  )
    start++;
  const rest = words.slice(start);
  if (rest.length === 0) return undefined;
  const address = rest.find((word) => word.kind === "address");
  const url = rest.find((word) => word.kind === "url");
  if (address || url) {
    if (rest.length > 1 && !(rest.length === 2 && ["address", "wallet"].includes(rest[0]!.lower))) {
      throw refuse(`Unclear recipient "${rest.map((w) => w.raw).join(" ")}"`, {
        reason: "invalid_recipient",
        suggestions: ["Name one recipient: an 0x address, a service name or a URL"],
      });
    }
    const refusal = address && addressRefusal(address.raw, { recipient: true });
    if (refusal) throw refusal;
    return address ? { type: "address", address: address.raw } : { type: "url", url: url!.raw };
  }
  const malformed = rest.find((word) => word.lower.startsWith("0x"));
  if (malformed) {
    throw refuse(`"${malformed.raw}" is not a valid address (expected 0x and 40 hex digits)`, {
      reason: "invalid_recipient",
    });
  }
  if (rest.some((word) => word.kind !== "word")) {
    throw refuse(`Unclear recipient "${rest.map((w) => w.raw).join(" ")}"`, {
      reason: "invalid_recipient",
    });
  }
  if (rest.some((word) => word.lower === "and" || word.lower === "or")) {
    // Two payees in one step would mean guessing how to split the amount.
    throw refuse(`Unclear recipient "${rest.map((w) => w.raw).join(" ")}"`, {
      reason: "invalid_recipient",
      suggestions: ['Pay one recipient per step, e.g. "pay 0.1 USDC to A then pay 0.1 USDC to B"'],
    });
  }
  return { type: "service", name: rest.map((word) => word.raw).join(" ") };
}
