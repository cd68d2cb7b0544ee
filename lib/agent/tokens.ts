import { refuse } from "./grammar/refuse.js";

/** A token the agent can name: its symbol, decimals and extra names users type for it. */
export interface TokenInfo {
  symbol: string;
  decimals: number;
  aliases?: string[];
}

/** Read-only list of tokens handed to the grammar, the model and the planner. */
export type TokenList = ReadonlyArray<TokenInfo>;

/** Symbols treated as worth exactly one US dollar when valuing a payment. */
export const STABLECOINS: ReadonlySet<string> = new Set(["USDC", "USDT", "USDC.E", "DAI"]);

/** Stablecoins tried, in order, when a user pays in dollars: the x402 asset on Cronos first. */
const DOLLAR_PREFERENCE = ["USDC", "USDT"];

/**
 * The USD stablecoin a dollar amount ("pay $10") is paid in: USDC when the list has it, else
 * USDT, else the first other known stablecoin; undefined when the list has none.
 */
export function usdStablecoin(tokens: TokenList): TokenInfo | undefined {
  for (const symbol of DOLLAR_PREFERENCE) {
    const token = tokens.find((t) => t.symbol.toUpperCase() === symbol);
    if (token) return token;
  }
  return tokens.find((t) => STABLECOINS.has(t.symbol.toUpperCase()));
}

interface TokenIndex {
  byName: Map<string, TokenInfo>;
  names: string[];
  multiWord: string[];
  /** suggestTokens answers by lower-case name (bounded). */
  suggestions: Map<string, string[]>;
}

const indexCache = new WeakMap<TokenList, TokenIndex>();

function indexTokens(tokens: TokenList): TokenIndex {
  let index = indexCache.get(tokens);
  if (index) return index;
  const byName = new Map<string, TokenInfo>();
  for (const token of tokens) {
    byName.set(token.symbol.toLowerCase(), token);
    for (const alias of token.aliases ?? []) byName.set(alias.toLowerCase(), token);
  }
  const names = [...byName.keys()];
  index = {
    byName,
    names,
    multiWord: names.filter((name) => name.includes(" ")),
    suggestions: new Map(),
  };
  indexCache.set(tokens, index);
  return index;
}

/** Finds a token by symbol or alias, ignoring case; undefined when there is none. */
export function findToken(tokens: TokenList, name: string): TokenInfo | undefined {
  return indexTokens(tokens).byName.get(name.toLowerCase());
}

/** Longest alias made of several words ("usd coin"), so the grammar can match multi-word names. */
export function multiWordTokenNames(tokens: TokenList): string[] {
  return indexTokens(tokens).multiWord;
}

/** Damerau–Levenshtein distance (adjacent swaps count once), enough for typo suggestions. */
export function editDistance(a: string, b: string): number {
  // Three rolling rows instead of a matrix: this runs for every unknown word.
  const cols = b.length + 1;
  let before = new Array<number>(cols).fill(0);
  let previous = Array.from({ length: cols }, (_, j) => j);
  let current = new Array<number>(cols).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, before[j - 2]! + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[cols - 1]!;
}

/** Symbols close to `name` (typos), closest first. */
export function suggestTokens(tokens: TokenList, name: string): string[] {
  const lower = name.toLowerCase();
  const index = indexTokens(tokens);
  const cached = index.suggestions.get(lower);
  if (cached) return [...cached];
  const result = closestTokens(index, lower);
  if (index.suggestions.size < 1000) index.suggestions.set(lower, result);
  return result;
}

function closestTokens(index: TokenIndex, lower: string): string[] {
  const scored: Array<{ symbol: string; distance: number }> = [];
  for (const [candidate, token] of index.byName) {
    const distance = editDistance(lower, candidate);
    const limit = candidate.length <= 3 ? 1 : 2;
    if (distance <= limit || (lower.length >= 3 && candidate.startsWith(lower))) {
      scored.push({ symbol: token.symbol, distance });
    }
  }
  scored.sort((a, b) => a.distance - b.distance);
  // Only the closest candidates: "CRP" suggests CRO, not WCRO as well.
  const best = scored[0]?.distance;
  return [
    ...new Set(scored.filter((entry) => entry.distance === best).map((entry) => entry.symbol)),
  ];
}

/** Resolves a token name or throws a CommandParseError that suggests the closest known symbols. */
export function resolveToken(tokens: TokenList, name: string): TokenInfo {
  const token = findToken(tokens, name);
  if (token) return token;
  const close = suggestTokens(tokens, name);
  const known = tokens.map((t) => t.symbol).join(", ");
  throw refuse(
    close.length > 0
      ? `Unknown token "${name}" — did you mean ${close.join(" or ")}?`
      : `Unknown token "${name}"`,
    { reason: "unknown_token", suggestions: [`Known tokens: ${known}`] },
  );
}
