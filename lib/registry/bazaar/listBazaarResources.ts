import { z } from "zod";
import { BaseError, ClientError } from "../../errors/index.js";
import { parseBoundedJson } from "../../http/parseBoundedJson.js";
import { fetchPinned } from "../../security/fetchPinned.js";
import { readBodyCapped } from "../../security/readBodyCapped.js";

/**
 * A listing page's size, as a facilitator's other answers are read (the Cronos facilitator's
 * 1 MiB): an honest page of `pageSize` entries is far smaller. Over it, the page is not a list.
 */
const MAX_PAGE_BYTES = 1024 * 1024;

/** Inputs of listBazaarResources. */
export interface ListBazaarResourcesParameters {
  /** The facilitator's base URL (its discovery listing is {url}/discovery/resources). */
  facilitatorUrl: string;
  pageSize?: number;
  /** Stop after this many entries, whatever the facilitator claims its total is. */
  maxEntries?: number;
}

/** The facilitator's discovery listing could not be read. */
export class BazaarListingError extends BaseError {
  static override defaultKind = "transient" as const;
  override name = "BazaarListingError";
}

/** A listing page as much as we trust it: items stay unknown until validateBazaarEntry. */
const pageSchema = z.object({
  items: z.array(z.unknown()).max(1000),
  pagination: z
    .object({ limit: z.number(), offset: z.number(), total: z.number().int().nonnegative() })
    .optional(),
});

/**
 * Every entry of a facilitator's Bazaar catalogue, paged by offset from its discovery listing
 * (`GET {url}/discovery/resources?limit&offset`, as @x402/extensions' `withBazaar` client reads
 * it). Read here through fetchPinned rather than that client, whose global fetch resolves the
 * host again after the address check (DNS rebinding). Entries are returned raw: the importer
 * validates each one. Bounded by maxEntries and by pages that stop advancing, so a hostile
 * facilitator cannot keep us paging forever.
 *
 * A URL that answers, but not with a discovery list (a 4xx, or another document), is the caller's
 * mistake (422); an unreachable or failing facilitator (network, 429, 5xx) may recover (503).
 */
export async function listBazaarResources(
  parameters: ListBazaarResourcesParameters,
): Promise<unknown[]> {
  const base = parameters.facilitatorUrl.replace(/\/+$/, "");
  const limit = parameters.pageSize ?? 50;
  const maxEntries = parameters.maxEntries ?? 1000;
  const entries: unknown[] = [];
  for (let offset = 0; entries.length < maxEntries; ) {
    const page = await readPage(base, { limit, offset });
    entries.push(...page.items.slice(0, maxEntries - entries.length));
    offset += page.items.length;
    const total = page.pagination?.total;
    if (page.items.length === 0 || total === undefined || offset >= total) break;
  }
  return entries;
}

async function readPage(
  base: string,
  query: { limit: number; offset: number },
): Promise<z.infer<typeof pageSchema>> {
  const url = `${base}/discovery/resources?limit=${query.limit}&offset=${query.offset}`;
  const origin = new URL(base).origin;
  let response: Response;
  try {
    response = await fetchPinned(
      url,
      { headers: { accept: "application/json" }, signal: AbortSignal.timeout(15_000) },
      { redirect: "manual" },
    );
  } catch (cause) {
    if (cause instanceof ClientError) throw cause; // refused address or redirect: 403/422 as is
    throw new BazaarListingError(`Could not reach ${origin}'s discovery resources`, { cause });
  }
  if (response.status === 429 || response.status >= 500) {
    await response.body?.cancel().catch(() => undefined);
    throw new BazaarListingError(
      `${origin} answered ${response.status} for its discovery resources; try again later`,
    );
  }
  const notAListing = (why: string) =>
    new ClientError(
      "unprocessable",
      `${origin} is not an x402 facilitator with a Bazaar discovery list: ${why}`,
      {
        metaMessages: [
          "Give the facilitator's base URL; its list is read from /discovery/resources.",
        ],
      },
    );
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw notAListing(`/discovery/resources answered ${response.status}`);
  }
  // Bounded in size and depth (parseBoundedJson); anything it refuses is not a listing either.
  const page = await readBodyCapped(response, MAX_PAGE_BYTES)
    .then(({ text }) => parseBoundedJson(text, { maxBytes: MAX_PAGE_BYTES }))
    .catch(() => undefined);
  const parsed = pageSchema.safeParse(page);
  if (!parsed.success) throw notAListing("its answer is not a discovery list");
  return parsed.data;
}
