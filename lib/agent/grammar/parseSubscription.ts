import type { SubscribeIntent, UnsubscribeIntent } from "../intent.js";
import { articles, typoMatcher } from "./lexicon.js";
import { refuse } from "./refuse.js";
import type { Word } from "./tokenize.js";

type Period = SubscribeIntent["period"];

const periodWords: Record<string, Period> = {
  daily: "daily",
  day: "daily",
  weekly: "weekly",
  week: "weekly",
  monthly: "monthly",
  month: "monthly",
};

/** "montly", "weekley": a period with one typo. */
const periodNoun = typoMatcher(["daily", "weekly", "monthly"]);

const frame = new Set([
  "to",
  "from",
  "for",
  "of",
  "me",
  "us",
  "subscription",
  "subscriptions",
  "plan",
  "my",
  "on",
  "with",
]);

function serviceName(words: Word[], what: string): string {
  const rest = words.filter((w) => !frame.has(w.lower) && !articles.has(w.lower));
  if (rest.length === 0) {
    throw refuse(`Which service should I ${what}?`, {
      reason: "incomplete",
      suggestions: [`e.g. "${what} the market data API"`],
    });
  }
  if (rest.some((w) => w.kind !== "word" && w.kind !== "url")) {
    throw refuse(`Unexpected "${rest.map((w) => w.raw).join(" ")}" in a subscription`, {
      reason: "unrecognized",
      suggestions: [
        'Subscriptions take a service and a period, e.g. "subscribe to the weather API monthly"',
      ],
    });
  }
  return rest.map((w) => w.raw).join(" ");
}

/** "subscribe to <service> [daily|weekly|monthly|every week|per month]"; monthly when unsaid. */
export function parseSubscribe(words: Word[]): SubscribeIntent {
  let period: Period | undefined;
  const rest: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const typed = periodWords[word.lower] ? word.lower : periodNoun(word.lower);
    const found = typed ? periodWords[typed] : undefined;
    if (
      found &&
      (typed!.endsWith("ly") ||
        ["every", "each", "per", "a", "once"].includes(words[i - 1]?.lower ?? ""))
    ) {
      if (period && period !== found) {
        throw refuse("The subscription names two periods; give one", {
          reason: "incomplete",
        });
      }
      period = found;
      if (["every", "each", "per", "a", "once"].includes(rest.at(-1)?.lower ?? "")) rest.pop();
      if (rest.at(-1)?.lower === "once") rest.pop();
      continue;
    }
    if (word.lower === "billed" || word.lower === "billing" || word.lower === "paid") continue;
    rest.push(word);
  }
  return {
    kind: "subscribe",
    service: serviceName(rest, "subscribe to"),
    period: period ?? "monthly",
  };
}

/** "unsubscribe from <service>", "cancel my <service> subscription". */
export function parseUnsubscribe(words: Word[]): UnsubscribeIntent {
  const service = serviceName(words, "unsubscribe from");
  if (
    ["all", "everything", "all services", "every service", "everything please"].includes(
      service.toLowerCase(),
    )
  ) {
    throw refuse("Unsubscribe from one service at a time", {
      reason: "unsupported",
      suggestions: ['e.g. "unsubscribe from the weather API"'],
    });
  }
  return { kind: "unsubscribe", service };
}
