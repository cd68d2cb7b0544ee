import { isDeepStrictEqual } from "node:util";
import type { PhrasingCase } from "./phrasings.js";

/** One phrasing the grammar got wrong: what was expected and what came out. */
export interface PhrasingMiss {
  text: string;
  expected: string;
  actual: string;
}

/** How many phrasings a parser gets exactly right, and the misses. */
export interface PhrasingScore {
  total: number;
  understood: number;
  /** understood / total. */
  rate: number;
  misses: PhrasingMiss[];
}

function describeExpected(entry: PhrasingCase): string {
  if (entry.error)
    return `error ${entry.error.reason}${entry.error.message ? ` ~ "${entry.error.message}"` : ""}`;
  return JSON.stringify({ steps: entry.steps, ...(entry.budget ? { budget: entry.budget } : {}) });
}

/**
 * Scores `parse` against the phrasing set. A case counts only when the result is exactly the
 * expected intents (and budget), or the parser refuses with the expected reason (and a message
 * containing the expected words). Takes the parser as a function so the same table can score an
 * older grammar (the base commit) for a before/after comparison.
 */
export function scorePhrasings(
  cases: ReadonlyArray<PhrasingCase>,
  parse: (text: string) => unknown,
): PhrasingScore {
  const misses: PhrasingMiss[] = [];
  for (const entry of cases) {
    let result: unknown;
    let error: { reason?: unknown; message?: unknown } | undefined;
    try {
      result = parse(entry.text);
    } catch (caught) {
      error = caught as { reason?: unknown; message?: unknown };
    }
    let ok: boolean;
    if (entry.error) {
      ok =
        error !== undefined &&
        error.reason === entry.error.reason &&
        (entry.error.message === undefined || String(error.message).includes(entry.error.message));
    } else {
      ok =
        error === undefined &&
        isDeepStrictEqual(result, {
          steps: entry.steps,
          ...(entry.budget ? { budget: entry.budget } : {}),
        });
    }
    if (!ok) {
      misses.push({
        text: entry.text,
        expected: describeExpected(entry),
        actual: error
          ? `error ${String(error.reason)}: ${String(error.message).split("\n")[0]}`
          : JSON.stringify(result),
      });
    }
  }
  const total = cases.length;
  return {
    total,
    understood: total - misses.length,
    rate: (total - misses.length) / total,
    misses,
  };
}
