import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { Cache } from "../../cache/index.js";
import { getNetwork } from "../../chain/registry.js";
import type { NetworkName } from "../../config.js";
import type { Database, ServiceTool } from "../../db/database.js";
import { BaseError } from "../../errors/index.js";
import { assertPublicUrl } from "../../security/assertPublicUrl.js";
import { requireEndpointKey } from "../endpointKey.js";
import { bumpRegistryVersion, resolveCache } from "../registryCache.js";
import { listBazaarResources } from "./listBazaarResources.js";
import { type BazaarEntry, validateBazaarEntry } from "./validateBazaarEntry.js";

/** Inputs of importBazaarResources. */
export interface ImportBazaarResourcesParameters {
  facilitatorUrl: string;
  /** Paygent's network: only entries payable there are imported. */
  network: NetworkName;
  maxEntries?: number;
  cache?: Cache;
}

/** What an import did. */
export interface ImportBazaarResourcesReturnType {
  imported: { id: string; name: string; endpoint: string; type: "http" | "mcp"; tools: string[] }[];
  /** Entries refused, with the first reason (the entry itself is not echoed back). */
  refused: { index: number; resource: string | null; reason: string }[];
}

/**
 * Imports a facilitator's Bazaar catalogue into the registry. Every entry is untrusted input:
 * validated (zod) and cleaned (validateBazaarEntry), its URL checked by the SSRF guard, and kept
 * only when payable on Paygent's network. Imported services are flagged `source = "bazaar"` with
 * the facilitator and time, get stable ids from their URL (a re-import updates in place), and a
 * paid MCP server's tools are gathered into one service with per-tool prices.
 *
 * Loopback and private URLs are accepted only on the devnet and only from the facilitator's own
 * origin (the devnet facilitator lists the host's demo resources); anything else must be public.
 */
export async function importBazaarResources(
  db: Kysely<Database>,
  parameters: ImportBazaarResourcesParameters,
): Promise<ImportBazaarResourcesReturnType> {
  const raw = await listBazaarResources({
    facilitatorUrl: parameters.facilitatorUrl,
    maxEntries: parameters.maxEntries,
  });
  const network = `eip155:${getNetwork(parameters.network).chainId}`;
  const facilitatorOrigin = new URL(parameters.facilitatorUrl).origin;
  const refused: ImportBazaarResourcesReturnType["refused"] = [];
  /** One service per endpoint; a paid MCP server's tools gather under it. */
  const groups = new Map<
    string,
    { entry: BazaarEntry; tools: ServiceTool[]; price: string; asset: string }
  >();

  for (const [index, item] of raw.entries()) {
    const resource =
      typeof (item as { resource?: unknown } | null)?.resource === "string"
        ? String((item as { resource: string }).resource).slice(0, 200)
        : null;
    try {
      const entry = validateBazaarEntry(item);
      await assertPublicUrl(entry.endpoint, {
        allowPrivate:
          parameters.network === "devnet" && new URL(entry.endpoint).origin === facilitatorOrigin,
      });
      const payable = entry.accepts
        .filter((accept) => accept.network === network)
        .sort((a, b) => (BigInt(a.amount) < BigInt(b.amount) ? -1 : 1))[0];
      if (!payable) throw new Error(`no exact option on ${network}`);
      const group = groups.get(entry.endpoint) ?? {
        entry,
        tools: [],
        price: payable.amount,
        asset: payable.asset,
      };
      if (entry.toolName) {
        group.tools.push({
          name: entry.toolName,
          description: entry.description,
          price: { amount: payable.amount, asset: payable.asset, network },
        });
      }
      // The service's declared price is its cheapest tool (each tool keeps its own price).
      if (BigInt(payable.amount) < BigInt(group.price)) {
        group.price = payable.amount;
        group.asset = payable.asset;
      }
      groups.set(entry.endpoint, group);
    } catch (error) {
      const reason = error instanceof BaseError ? error.shortMessage : (error as Error).message;
      refused.push({ index, resource, reason: reason.slice(0, 300) });
    }
  }

  const imported: ImportBazaarResourcesReturnType["imported"] = [];
  for (const [endpoint, group] of groups) {
    const id = `svc_bz_${createHash("sha256").update(endpoint).digest("hex").slice(0, 20)}`;
    const { entry } = group;
    const name = await uniqueName(db, id, entry.serviceName ?? defaultName(endpoint));
    const category =
      entry.tags
        .map((tag) => tag.toLowerCase())
        .find((tag) => /^[a-z0-9][a-z0-9-]{0,62}$/.test(tag)) ?? "imported";
    const values = {
      name,
      description: entry.description,
      category,
      endpoint,
      endpoint_key: requireEndpointKey(endpoint),
      pricing_model: "pay-per-call" as const,
      price_amount: group.price,
      price_asset: group.asset,
      price_network: network,
      mcp_compatible: entry.type === "mcp",
      tools: entry.type === "mcp" ? JSON.stringify(group.tools) : null,
      source: "bazaar",
      imported_from: parameters.facilitatorUrl,
      imported_at: new Date(),
      tags: JSON.stringify(entry.tags),
    };
    await db
      .insertInto("services")
      .values({ id, ...values })
      .onConflict((oc) => oc.column("id").doUpdateSet({ ...values, updated_at: sql`now()` }))
      .execute();
    imported.push({ id, name, endpoint, type: entry.type, tools: group.tools.map((t) => t.name) });
  }
  if (imported.length) await bumpRegistryVersion(await resolveCache(parameters.cache));
  return { imported, refused };
}

function defaultName(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.host}${url.pathname}`.slice(0, 100);
}

/** The entry's name, suffixed when another service already has it (names are unique). */
async function uniqueName(db: Kysely<Database>, id: string, wanted: string): Promise<string> {
  const name = wanted.slice(0, 100);
  const taken = await db
    .selectFrom("services")
    .select("id")
    .where("name", "=", name)
    .where("id", "!=", id)
    .executeTakeFirst();
  return taken ? `${name} (${id.slice(-6)})` : name;
}
