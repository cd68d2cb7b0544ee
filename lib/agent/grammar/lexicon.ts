import { editDistance } from "../tokens.js";

/** Which parser a leading verb selects. */
export type VerbClass =
  | "pay"
  | "send"
  | "swap"
  | "sell"
  | "buy"
  | "balance"
  | "discover"
  | "subscribe"
  | "unsubscribe"
  | "cancel"
  | "repeat"
  | "reverse"
  | "bet"
  | "redeem"
  | "unsupported";

const verbs: Record<string, VerbClass> = {
  pay: "pay",
  send: "send",
  transfer: "send",
  give: "send",
  tip: "send",
  swap: "swap",
  exchange: "swap",
  trade: "swap",
  convert: "swap",
  sell: "sell",
  buy: "buy",
  purchase: "buy",
  get: "buy",
  balance: "balance",
  balances: "balance",
  check: "balance",
  show: "balance",
  what: "balance",
  "what's": "balance",
  whats: "balance",
  how: "balance",
  display: "balance",
  tell: "balance",
  view: "balance",
  find: "discover",
  search: "discover",
  discover: "discover",
  list: "discover",
  browse: "discover",
  look: "discover",
  locate: "discover",
  subscribe: "subscribe",
  sub: "subscribe",
  resubscribe: "subscribe",
  unsubscribe: "unsubscribe",
  unsub: "unsubscribe",
  cancel: "cancel",
  stop: "cancel",
  end: "cancel",
  repeat: "repeat",
  redo: "repeat",
  again: "repeat",
  do: "repeat",
  same: "repeat",
  reverse: "reverse",
  undo: "reverse",
  bet: "bet",
  wager: "bet",
  place: "bet",
  put: "bet",
  redeem: "redeem",
  stake: "unsupported",
  unstake: "unsupported",
  bridge: "unsupported",
  borrow: "unsupported",
  lend: "unsupported",
  deposit: "unsupported",
  withdraw: "unsupported",
  mint: "unsupported",
  burn: "unsupported",
  approve: "unsupported",
  vote: "unsupported",
  farm: "unsupported",
  short: "unsupported",
  long: "unsupported",
  provide: "unsupported",
  add: "unsupported",
  remove: "unsupported",
  delegate: "unsupported",
  claim: "unsupported",
  lock: "unsupported",
  deploy: "unsupported",
  sign: "unsupported",
};

/**
 * Verbs long enough that a one-letter slip is still unambiguous ("swpa", "tranfer", "subscibe").
 * The market verbs are exact only: "water" must not read as "wager".
 */
const fuzzyVerbs = Object.keys(verbs).filter(
  (verb) =>
    verb.length >= 4 &&
    ![
      "what",
      "how",
      "long",
      "show",
      "give",
      "sign",
      "lock",
      "burn",
      "place",
      "wager",
      "redeem",
    ].includes(verb),
);

const fuzzyCache = new Map<string, string | undefined>();

/** The verb a word stands for, tolerating one typo in verbs of four letters or more. */
export function verbOf(word: string): { verb: string; class: VerbClass } | undefined {
  const exact = verbs[word];
  if (exact) return { verb: word, class: exact };
  if (word.length < 4) return undefined;
  let corrected = fuzzyCache.get(word);
  if (corrected === undefined && !fuzzyCache.has(word)) {
    for (const verb of fuzzyVerbs) {
      const limit = verb.length >= 8 ? 2 : 1;
      if (Math.abs(verb.length - word.length) <= limit && editDistance(word, verb) <= limit) {
        corrected = verb;
        break;
      }
    }
    if (fuzzyCache.size < 10_000) fuzzyCache.set(word, corrected);
  }
  return corrected ? { verb: corrected, class: verbs[corrected]! } : undefined;
}

/** Words that start a new step when they follow "and" or a comma. */
export function startsStep(word: string): boolean {
  const verb = verbOf(word);
  return (
    verb !== undefined &&
    !["what", "how", "same", "do", "get", "long", "short", "end", "add", "put", "place"].includes(
      verb.verb,
    )
  );
}

/** Groups phrases by first word so matching a position costs one map lookup. */
export function indexPhrases(
  phrases: ReadonlyArray<ReadonlyArray<string>>,
): Map<string, ReadonlyArray<ReadonlyArray<string>>> {
  const index = new Map<string, Array<ReadonlyArray<string>>>();
  for (const phrase of phrases) {
    const list = index.get(phrase[0]!) ?? [];
    list.push(phrase);
    index.set(phrase[0]!, list);
  }
  // Longest first, so "right now" wins over "now".
  for (const list of index.values()) list.sort((a, b) => b.length - a.length);
  return index;
}

/** The longest phrase of `index` that starts at words[at], or undefined. */
export function matchAt(
  index: Map<string, ReadonlyArray<ReadonlyArray<string>>>,
  words: ReadonlyArray<{ lower: string }>,
  at: number,
  end = words.length,
): ReadonlyArray<string> | undefined {
  const first = words[at];
  if (!first) return undefined;
  const candidates = index.get(first.lower);
  if (!candidates) return undefined;
  for (const phrase of candidates) {
    if (at + phrase.length > end) continue;
    let ok = true;
    for (let k = 1; k < phrase.length; k++) {
      if (words[at + k]!.lower !== phrase[k]) {
        ok = false;
        break;
      }
    }
    if (ok) return phrase;
  }
  return undefined;
}

/** Polite or filler phrases removed from the start or end of a step. */
export const leadingFillers: ReadonlyArray<ReadonlyArray<string>> = [
  ["please"],
  ["pls"],
  ["plz"],
  ["kindly"],
  ["hey"],
  ["hi"],
  ["hello"],
  ["ok"],
  ["okay"],
  ["yo"],
  ["paygent"],
  ["agent"],
  ["now"],
  ["just"],
  ["first"],
  ["firstly"],
  ["also"],
  ["and"],
  ["next"],
  ["then"],
  ["can", "you"],
  ["can", "u"],
  ["could", "you"],
  ["could", "u"],
  ["would", "you"],
  ["will", "you"],
  ["can", "i"],
  ["i", "want", "to"],
  ["i", "wanna"],
  ["i'd", "like", "to"],
  ["id", "like", "to"],
  ["i", "would", "like", "to"],
  ["i", "need", "to"],
  ["we", "need", "to"],
  ["go", "ahead", "and"],
  ["let's"],
  ["lets"],
  ["help", "me"],
  ["gimme"],
  ["give", "me"],
  ["quickly"],
  ["immediately"],
];

/** Filler phrases removed from the end of a step. */
export const trailingFillers: ReadonlyArray<ReadonlyArray<string>> = [
  ["please"],
  ["pls"],
  ["plz"],
  ["thanks"],
  ["thx"],
  ["thank", "you"],
  ["for", "me"],
  ["right", "now"],
  ["now"],
  ["asap"],
  ["immediately"],
];

/** leadingFillers indexed by first word. */
export const leadingFillerIndex = indexPhrases(leadingFillers);

/** Small words the recipient, service and query extractors skip. */
export const articles: ReadonlySet<string> = new Set([
  "the",
  "a",
  "an",
  "my",
  "our",
  "this",
  "that",
]);

/**
 * A matcher that reads a word of five letters or more as one of `candidates` when it is exactly
 * one of them or one typo away from exactly one ("ballance" → "balance"). Plural and singular are
 * not typos of each other. Only used where the grammar already expects such a noun, never for
 * token names, where a typo could move money in the wrong asset.
 */
export function typoMatcher(
  candidates: ReadonlyArray<string>,
): (word: string) => string | undefined {
  const exact = new Set(candidates);
  const cache = new Map<string, string | undefined>();
  return (word) => {
    if (exact.has(word)) return word;
    if (word.length < 5) return undefined;
    const cached = cache.get(word);
    if (cached !== undefined || cache.has(word)) return cached;
    let found: string | undefined;
    for (const candidate of candidates) {
      if (Math.abs(candidate.length - word.length) > 1) continue;
      if (candidate === `${word}s` || word === `${candidate}s`) continue;
      if (editDistance(word, candidate) > 1) continue;
      if (found !== undefined && found !== candidate) {
        found = undefined;
        break;
      }
      found = candidate;
    }
    if (cache.size < 10_000) cache.set(word, found);
    return found;
  };
}
