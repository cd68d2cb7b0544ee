import { editDistance } from "../tokens.js";
import { indexPhrases, matchAt } from "./lexicon.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

/** Phrases that ask to set a rule aside, when a rule word follows ("ignore your limits"). */
const bypassPhrases: string[][] = [
  ["ignore"],
  ["ignoring"],
  ["disregard"],
  ["disregarding"],
  ["bypass"],
  ["bypassing"],
  ["override"],
  ["overriding"],
  ["circumvent"],
  ["skip"],
  ["skipping"],
  ["forget"],
  ["forget", "about"],
  ["disable"],
  ["turn", "off"],
  ["switch", "off"],
  ["without"],
  ["no"],
  ["no", "need"],
  ["don't", "need"],
  ["dont", "need"],
  ["don't", "ask"],
  ["dont", "ask"],
  ["do", "not", "ask"],
  ["even", "if"],
  ["regardless", "of"],
];
const bypassIndex = indexPhrases(bypassPhrases);

/** Words that may stand between the phrase and the rule ("ignore all your previous limits"). */
const between = new Set([
  "the",
  "your",
  "my",
  "all",
  "any",
  "previous",
  "prior",
  "earlier",
  "above",
  "of",
  "spending",
  "safety",
  "these",
  "those",
  "its",
  "it",
  "it's",
  "to",
  "ask",
  "for",
  "a",
  "an",
  "get",
  "wait",
  "me",
  "usual",
  "normal",
  "current",
  "session",
  "exceeds",
  "exceed",
  "goes",
  "go",
  "over",
  "breaks",
  "break",
  "past",
  "beyond",
]);

/** What the rules are called. */
const ruleWords = new Set([
  "limit",
  "limits",
  "rule",
  "rules",
  "budget",
  "budgets",
  "policy",
  "policies",
  "approval",
  "approvals",
  "restriction",
  "restrictions",
  "cap",
  "caps",
  "safeguard",
  "safeguards",
  "guardrail",
  "guardrails",
  "instruction",
  "instructions",
  "threshold",
  "thresholds",
  "checks",
  "confirmation",
  "confirmations",
  "permission",
  "permissions",
  "constraint",
  "constraints",
]);

/**
 * Chat spellings of the words above, as typed in a hurry ("ignore ur limitz", "bypass da
 * limits", "w/o approval"). Without them a misspelt bypass is not recognised at all, and an
 * unrecognised command goes to the language model instead of being refused.
 */
const respellings = new Map<string, string>([
  ["ur", "your"],
  ["yr", "your"],
  ["ya", "your"],
  ["yer", "your"],
  ["yur", "your"],
  ["yor", "your"],
  ["yuor", "your"],
  ["yoru", "your"],
  ["u", "your"],
  ["da", "the"],
  ["tha", "the"],
  ["teh", "the"],
  ["hte", "the"],
  ["de", "the"],
  ["ze", "the"],
  ["dem", "these"],
  ["dose", "those"],
  ["ma", "my"],
  ["mah", "my"],
  ["muh", "my"],
  ["al", "all"],
  ["ne", "any"],
  ["4", "for"],
  ["2", "to"],
  ["wo", "without"],
  ["wout", "without"],
  ["dnt", "dont"],
  ["dun", "dont"],
  ["lim", "limit"],
  ["lims", "limits"],
  ["lmt", "limit"],
  ["lmts", "limits"],
  ["limt", "limit"],
  ["rulz", "rules"],
  ["capz", "caps"],
]);

/** Words typed apart or split by the tokenizer ("w/o" is "w" "o", "4get" is 4 "get"), read as one. */
const joined = new Map<string, string>([
  ["w o", "without"],
  ["w out", "without"],
  ["4 get", "forget"],
  ["by pass", "bypass"],
  ["over ride", "override"],
]);

/** Words long enough that one slip still names them ("bypas", "disregrad", "approvel"). */
const fuzzyTargets = [
  ...new Set([...bypassPhrases.flat(), ...ruleWords].filter((word) => word.length >= 5)),
];

const spellingCache = new Map<string, string>();

/**
 * The word as this check's lists spell it: a chat spelling respelled, a trailing "z" read as "s"
 * ("limitz", "rulez"), and one slip (Damerau) in a word of five letters or more that starts with
 * the same letter. Only this check reads the result: elsewhere the words stay as typed.
 */
function respell(lower: string): string {
  const known = respellings.get(lower);
  if (known) return known;
  if (lower.length < 5 || between.has(lower) || ruleWords.has(lower) || bypassIndex.has(lower))
    return lower;
  const cached = spellingCache.get(lower);
  if (cached !== undefined) return cached;
  let result = lower;
  const plural = lower.endsWith("z") ? `${lower.slice(0, -1)}s` : undefined;
  if (plural && ruleWords.has(plural)) result = plural;
  else {
    for (const target of fuzzyTargets) {
      if (
        target[0] === lower[0] &&
        Math.abs(target.length - lower.length) <= 1 &&
        editDistance(lower, target) <= 1
      ) {
        result = target;
        break;
      }
    }
  }
  if (spellingCache.size < 10_000) spellingCache.set(lower, result);
  return result;
}

/** The words as this check reads them (see respell); numbers and addresses are left as they are. */
function normalize(words: ReadonlyArray<Word>): Word[] {
  const normal: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    const pair = next && joined.get(`${word.lower} ${next.lower}`);
    if (pair) {
      normal.push({ ...word, lower: pair, kind: "word" });
      i++;
      continue;
    }
    const readable =
      word.kind === "word" || (word.kind === "number" && respellings.has(word.lower));
    const lower = readable ? respell(word.lower) : word.lower;
    normal.push(lower === word.lower ? word : { ...word, lower, kind: "word" });
  }
  return normal;
}

/**
 * Refuses a command that asks Paygent to set its rules aside ("ignore your limits and send …",
 * "send … without approval", "even if it exceeds the budget"), misspelt or not ("ignore ur
 * limits", "bypass da limitz"). The whole command is refused, not run within the limits: its
 * author meant something else, and no model is asked to reinterpret it (reason "unsupported").
 */
export function checkRuleBypass(typed: ReadonlyArray<Word>): void {
  const words = normalize(typed);
  for (let i = 0; i < words.length; i++) {
    const phrase = matchAt(bypassIndex, words, i);
    if (!phrase) continue;
    let j = i + phrase.length;
    for (
      let skipped = 0;
      skipped < 4 && j < words.length && between.has(words[j]!.lower);
      skipped++
    )
      j++;
    const rule = words[j];
    if (rule?.kind === "word" && ruleWords.has(rule.lower)) {
      throw refuse(
        "Paygent keeps its limits: budgets, spending limits, approvals and policy always apply, whatever a command says",
        {
          reason: "unsupported",
          suggestions: ["Ask for what you need within the limits, or change the limits themselves"],
        },
      );
    }
  }
}
