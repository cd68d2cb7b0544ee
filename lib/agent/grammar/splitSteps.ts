import {
  indexPhrases,
  leadingFillerIndex,
  matchAt,
  startsStep,
  trailingFillers,
} from "./lexicon.js";
import type { Word } from "./tokenize.js";

const stepBreaks: string[][] = [
  ["and", "after", "that"],
  ["and", "then"],
  ["and", "finally"],
  ["and", "next"],
  ["after", "that"],
  ["after", "this"],
  ["once", "that's", "done"],
  ["once", "done"],
  ["when", "done"],
  ["then"],
  ["finally"],
  ["afterwards"],
  ["afterward"],
  ["subsequently"],
  ["lastly"],
];

const stepBreakIndex = indexPhrases(stepBreaks);

function breakAt(words: ReadonlyArray<Word>, index: number): number {
  return matchAt(stepBreakIndex, words, index)?.length ?? 0;
}

/** Next word that is not filler, to decide whether "and"/"," starts a new step. */
function nextMeaningful(words: ReadonlyArray<Word>, index: number): Word | undefined {
  let i = index;
  while (i < words.length) {
    const filler = matchAt(leadingFillerIndex, words, i);
    if (!filler) break;
    i += filler.length;
  }
  return words[i];
}

/**
 * Splits a command into steps at ";", ".", "then", "after that", "finally", and at "and" or ","
 * when a verb follows ("check my balance and swap …").
 */
export function splitSteps(words: ReadonlyArray<Word>): Word[][] {
  const steps: Word[][] = [];
  let current: Word[] = [];
  const flush = (): void => {
    if (current.length > 0) steps.push(current);
    current = [];
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.kind === "separator") {
      if (word.lower !== ",") {
        flush();
        continue;
      }
      const next = nextMeaningful(words, i + 1);
      if (next && next.kind === "word" && (startsStep(next.lower) || breakAt(words, i + 1) > 0))
        flush();
      continue;
    }
    if (word.kind === "word") {
      const width = breakAt(words, i);
      if (width > 0) {
        flush();
        i += width - 1;
        continue;
      }
      if (word.lower === "and" || word.lower === "plus") {
        const next = nextMeaningful(words, i + 1);
        if (next && next.kind === "word" && startsStep(next.lower)) {
          flush();
          continue;
        }
      }
    }
    current.push(word);
  }
  flush();
  return steps;
}

/** Removes polite and filler phrases from both ends of a step. */
export function stripFillers(words: Word[]): Word[] {
  let start = 0;
  let end = words.length;
  let changed = true;
  while (changed && start < end) {
    changed = false;
    const lead = matchAt(leadingFillerIndex, words, start, end);
    if (lead) {
      start += lead.length;
      changed = true;
    }
    for (const phrase of trailingFillers) {
      const at = end - phrase.length;
      if (at >= start && phrase.every((part, k) => words[at + k]!.lower === part)) {
        end = at;
        changed = true;
        break;
      }
    }
  }
  return start === 0 && end === words.length ? words : words.slice(start, end);
}
