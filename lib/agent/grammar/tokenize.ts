import { amountTextProblem } from "../decimal.js";
import type { CommandParseError } from "../errors.js";
import { addressRefusal } from "./addressRefusal.js";
import { refuse } from "./refuse.js";

/** Kinds of word the tokenizer recognises before any grammar runs. */
export type WordKind =
  | "word"
  | "number"
  | "usd"
  | "percent"
  | "address"
  | "url"
  | "quoted"
  | "separator";

/** One token of a command: the text as typed, its lower-case form and its kind. */
export interface Word {
  /** As typed; for "quoted", the text between the quotes. */
  raw: string;
  lower: string;
  kind: WordKind;
  /** For number/usd/percent: the decimal digits without "$", "%" or thousands separators. */
  value?: string;
}

// A number as typed: digits with any separators or an exponent between them ("1,000.50", "1,5",
// "1e3", "1'000"). It is matched whole so it can be refused whole; a trailing "," or "." is not
// part of it ("pay 5, then …").
const numberBody = String.raw`(?:\.?\d(?:[.,_'’\u066B\u066C]?\d|[eE][+-]?\d)*)`;
const sign = String.raw`[-+\u2212\u2013\u2014]`;

// Order matters: URLs, quotes and addresses first; arrows before signs; signed numbers before
// plain ones; "10cro" splits into number + word. One capture group per kind, numbered as in Group
// (plain groups and an exec loop: named groups and matchAll cost a third of the parse).
const wordPattern = new RegExp(
  [
    String.raw`([hH][tT][tT][pP][sS]?:\/\/[^\s;]+)`,
    String.raw`("[^"]*"|“[^”]*”|(?<![\w'’])'[^'\n]+'(?!\w))`,
    "(0[xX][0-9a-zA-Z]+)",
    "(-+>|=+>|[→⇒➡➔⟶⇨➜➝➞])",
    // A sign before a number or a dollar amount: "-5", "- 5", "-$5", "$-5".
    String.raw`((?<![\w.])(?:${sign}\s?\$?|\$\s?${sign})\s?${numberBody})`,
    String.raw`(\$\s?${numberBody})`,
    String.raw`(${numberBody}(?:\s?%)?)`,
    "([a-zA-Z][a-zA-Z0-9]*(?:[.'’-][a-zA-Z0-9]+)*)",
    String.raw`([;,]|\.(?=\s|$))`,
    "(&)",
    String.raw`([^\s])`,
  ].join("|"),
  "g",
);

/** Capture group of each kind in wordPattern. */
const Group = {
  url: 1,
  quoted: 2,
  hex: 3,
  arrow: 4,
  signed: 5,
  usd: 6,
  number: 7,
  word: 8,
  separator: 9,
  and: 10,
} as const;

const addressPattern = /^0x[0-9a-fA-F]{40}$/;
const otherDigit = /\p{N}/u;
const arrowWord: Word = { raw: "→", lower: "to", kind: "word" };

function refuseAmount(message: string): CommandParseError {
  return refuse(`Invalid amount: ${message}`, {
    reason: "invalid_amount",
    suggestions: ['Write amounts like 5, 0.25 or 1,000.50, e.g. "send 5 USDC to 0x…"'],
  });
}

/** The digits of a number as typed, or a refusal that says what is wrong with them. */
function readNumber(text: string): string {
  const problem = amountTextProblem(text);
  if (problem) throw refuseAmount(problem);
  return text.includes(",") ? text.replaceAll(",", "") : text;
}

/**
 * Splits a command into words. Punctuation other than ";", "," and a sentence-ending "." is
 * dropped; URLs, 0x addresses, quoted text, "$10" and "0.5%" stay whole; arrows ("->", "→") read
 * as "to". Throws CommandParseError for an amount that would otherwise be misread: a negative or
 * signed number, an exponent, digits other than 0-9, or ambiguous separators ("1,5", "1 000").
 */
export function tokenize(text: string): Word[] {
  const words: Word[] = [];
  let numberEnd = 0;
  wordPattern.lastIndex = 0;
  for (let match = wordPattern.exec(text); match; match = wordPattern.exec(text)) {
    const raw = match[0];
    if (match[Group.word] !== undefined) {
      const lower = raw.toLowerCase();
      words.push({
        raw,
        lower: lower.includes("’") ? lower.replace("’", "'") : lower,
        kind: "word",
      });
    } else if (match[Group.number] !== undefined) {
      if (raw.endsWith("%")) {
        words.push({
          raw,
          lower: raw,
          kind: "percent",
          value: readNumber(raw.slice(0, -1).trim()),
        });
        continue;
      }
      const value = readNumber(raw);
      const previous = words.at(-1);
      // "1 000": a space used as a thousands separator (only spaces between the two numbers).
      if (
        previous?.kind === "number" &&
        raw.length === 3 &&
        /^\d{3}$/.test(raw) &&
        /^\s+$/.test(text.slice(numberEnd, match.index))
      ) {
        throw refuseAmount(
          `"${previous.raw} ${raw}" is ambiguous; write ${previous.raw}${raw} or ${previous.raw},${raw}`,
        );
      }
      words.push({ raw, lower: raw, kind: "number", value });
      numberEnd = match.index + raw.length;
    } else if (match[Group.separator] !== undefined) {
      words.push({ raw, lower: raw, kind: "separator" });
    } else if (match[Group.url] !== undefined) {
      const url = raw.replace(/[.,!?)'"]+$/, "");
      words.push({ raw: url, lower: url.toLowerCase(), kind: "url" });
    } else if (match[Group.hex] !== undefined) {
      const address = addressPattern.test(raw);
      if (address) {
        // A mixed-case address whose letters do not match its EIP-55 checksum is mistyped: refused
        // at once instead of failing the run after its 202.
        const refusal = addressRefusal(raw, { recipient: false });
        if (refusal) throw refusal;
      }
      words.push({ raw, lower: raw.toLowerCase(), kind: address ? "address" : "word" });
    } else if (match[Group.usd] !== undefined) {
      words.push({ raw, lower: raw, kind: "usd", value: readNumber(raw.slice(1).trim()) });
    } else if (match[Group.and] !== undefined) {
      words.push({ raw, lower: "and", kind: "word" });
    } else if (match[Group.arrow] !== undefined) {
      words.push(arrowWord);
    } else if (match[Group.quoted] !== undefined) {
      const inner = raw.slice(1, -1).trim();
      if (inner !== "") words.push({ raw: inner, lower: inner.toLowerCase(), kind: "quoted" });
    } else if (match[Group.signed] !== undefined) {
      // Refused whichever way it was written; "5 - 10" is a range, not an amount.
      const previous = words.at(-1);
      if (previous?.kind === "number") {
        throw refuseAmount(`"${previous.raw} ${raw}" is a range, not one amount`);
      }
      const body = raw.replace(/[\s$]/g, "");
      throw refuseAmount(amountTextProblem(body) ?? `"${raw}" has a sign`);
    } else if (otherDigit.test(raw)) {
      throw refuseAmount(
        `"${raw}" is not one of the digits 0-9; write amounts with the digits 0-9`,
      );
    }
    // any other single character ("!", "?", "(", a lone "-", emoji) is noise
  }
  return words;
}
