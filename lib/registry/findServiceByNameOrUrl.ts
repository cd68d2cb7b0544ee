import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { closestEndpointMatch } from "./closestEndpointMatch.js";
import { endpointKey } from "./endpointKey.js";
import { type ServiceView, toServiceView } from "./serviceView.js";

/** Words that carry no identity in a service name ("the market data api" ≈ "Market Data"). */
const fillerWords = new Set(["the", "a", "an", "api", "service", "endpoint", "to", "for", "of"]);

/** Lowercase words of a name, without punctuation. */
export function nameWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean);
}

function normalize(text: string): string {
  return nameWords(text).join(" ");
}

/** Similarity in [0, 1] between a query and a service name; 1 means the same words. */
export function nameSimilarity(query: string, name: string): number {
  const a = normalize(query);
  const b = normalize(name);
  if (a === "" || b === "") return 0;
  if (a === b) return 1;
  const coreA = nameWords(query).filter((w) => !fillerWords.has(w));
  const coreB = nameWords(name).filter((w) => !fillerWords.has(w));
  if (coreA.length > 0 && coreA.join(" ") === coreB.join(" ")) return 0.95;
  const setA = new Set(coreA.map(stem));
  const setB = new Set(coreB.map(stem));
  if (setA.size === 0 || setB.size === 0) return 0;
  let shared = 0;
  for (const word of setA) if (setB.has(word)) shared++;
  // Share of the name's identity the query covers, lightly penalising extra query words.
  return (0.85 * shared) / setB.size - (0.1 * (setA.size - shared)) / setA.size;
}

/** Crude singular form so "prices" matches "price". */
function stem(word: string): string {
  return word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word;
}

/** Most services read for one endpoint key: sharing an endpoint is rare, and bounded here. */
const maxSharedEndpoint = 100;

/** Below this similarity a name does not count as a match. */
export const NAME_MATCH_THRESHOLD = 0.5;

/**
 * Resolves what a user typed ("market data api", "the weather service", or a URL) to a
 * registered service: a URL by its endpointKey (an indexed column), a name case-insensitively,
 * then the most similar name. Returns undefined when nothing is close enough, so the caller can
 * ask instead of guessing.
 */
export async function findServiceByNameOrUrl(
  db: Kysely<Database>,
  query: string,
): Promise<ServiceView | undefined> {
  const text = query.trim();
  if (text === "") return undefined;
  if (/^https?:\/\//i.test(text)) {
    // Every spelling of the URL (host case, default port, query, trailing slash) finds the
    // service, so rules on its id and its catalogue terms apply; see endpointKey.
    const key = endpointKey(text);
    if (key === undefined) return undefined;
    const rows = await db
      .selectFrom("services")
      .selectAll()
      .where("endpoint_key", "=", key)
      .orderBy("id")
      .limit(maxSharedEndpoint)
      .execute();
    const row = closestEndpointMatch(rows, text);
    return row ? toServiceView(row) : undefined;
  }
  const exact = await db
    .selectFrom("services")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["name"]), "=", text.toLowerCase()))
    .orderBy("id")
    .executeTakeFirst();
  if (exact) return toServiceView(exact);
  // The registry is small (tens to hundreds of services): scoring names in memory is cheaper
  // than maintaining a trigram index, and works the same on PGlite.
  const rows = await db.selectFrom("services").selectAll().orderBy("id").limit(2000).execute();
  let best: { row: (typeof rows)[number]; score: number } | undefined;
  for (const row of rows) {
    const score = nameSimilarity(text, row.name);
    if (score >= NAME_MATCH_THRESHOLD && (!best || score > best.score)) best = { row, score };
  }
  return best ? toServiceView(best.row) : undefined;
}
