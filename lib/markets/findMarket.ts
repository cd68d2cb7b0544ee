import type { ChainContext } from "../chain/clients.js";
import type { MarketInfo } from "../chain/registry.js";
import { UnknownMarketError } from "./errors.js";
import { requireMarket, requirePredictionMarkets } from "./requireMarket.js";

/** A market as a command names it: its short name (or id), or its question as quoted. */
export type MarketReference =
  | { type: "name"; name: string }
  | { type: "question"; question: string };

/** Case, quotes, spacing and a trailing "?" do not make a different question. */
function normalizeQuestion(question: string): string {
  return question
    .toLowerCase()
    .replace(/["'“”‘’]/g, "")
    .replace(/\s+/g, " ")
    .replace(/[\s?]+$/, "")
    .trim();
}

/**
 * The registry's market a command names: by short name, market maker address or condition id
 * (requireMarket), or by its question text. UnknownMarketError (listing the names) otherwise.
 */
export function findMarket(context: ChainContext, reference: MarketReference): MarketInfo {
  if (reference.type === "name") return requireMarket(context, reference.name);
  const { markets } = requirePredictionMarkets(context);
  const wanted = normalizeQuestion(reference.question);
  const market = markets.find((candidate) => normalizeQuestion(candidate.question) === wanted);
  if (!market) {
    throw new UnknownMarketError(`No market asks "${reference.question}" on ${context.network}`, {
      metaMessages: [`Known markets: ${markets.map((known) => known.name).join(", ") || "none"}`],
    });
  }
  return market;
}
