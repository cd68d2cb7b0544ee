import { HTTPFacilitatorClient } from "@x402/core/server";
import { withBazaar } from "@x402/extensions/bazaar";
import { z } from "zod";
import { BaseError } from "../../errors/index.js";
import { assertPublicUrl } from "../../security/assertPublicUrl.js";

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
 * Every entry of a facilitator's Bazaar catalogue, paged by offset with @x402/extensions' client
 * (`withBazaar(new HTTPFacilitatorClient({url})).extensions.bazaar.listResources`). Entries are
 * returned raw: the importer validates each one. Bounded by maxEntries and by pages that stop
 * advancing, so a hostile facilitator cannot keep us paging forever.
 */
export async function listBazaarResources(
  parameters: ListBazaarResourcesParameters,
): Promise<unknown[]> {
  await assertPublicUrl(parameters.facilitatorUrl);
  const client = withBazaar(
    new HTTPFacilitatorClient({ url: parameters.facilitatorUrl.replace(/\/+$/, "") }),
  );
  const limit = parameters.pageSize ?? 50;
  const maxEntries = parameters.maxEntries ?? 1000;
  const entries: unknown[] = [];
  for (let offset = 0; entries.length < maxEntries; ) {
    let page: z.infer<typeof pageSchema>;
    try {
      const answer = await client.extensions.bazaar.listResources({ limit, offset });
      page = pageSchema.parse(answer);
    } catch (cause) {
      throw new BazaarListingError(
        `Could not list ${new URL(parameters.facilitatorUrl).origin}'s discovery resources`,
        { cause },
      );
    }
    entries.push(...page.items.slice(0, maxEntries - entries.length));
    offset += page.items.length;
    const total = page.pagination?.total;
    if (page.items.length === 0 || total === undefined || offset >= total) break;
  }
  return entries;
}
