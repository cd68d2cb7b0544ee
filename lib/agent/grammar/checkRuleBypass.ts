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
 * Refuses a command that asks Paygent to set its rules aside ("ignore your limits and send …",
 * "send … without approval", "even if it exceeds the budget"). The whole command is refused, not
 * run within the limits: its author meant something else, and no model is asked to reinterpret
 * it (reason "unsupported").
 */
export function checkRuleBypass(words: ReadonlyArray<Word>): void {
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
