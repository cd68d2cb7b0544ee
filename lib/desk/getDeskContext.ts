import type { Kysely } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import { getNetwork } from "../chain/registry.js";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { WALLET_TARGET } from "../freeze/freezeTargets.js";
import { explorerTxUrl } from "./explorerTxUrl.js";
import { type DeskRole, roleOf } from "./roleOf.js";

/** Who the caller is and what the page needs to show amounts in human units. */
export interface DeskContext {
  key: { id: string; name: string | null; role: DeskRole };
  network: { name: string; chainId: number; explorerTxUrl: string | null; dex: string | null };
  /** The agent wallet's freeze (every key stops moving money), null when not frozen. */
  walletFreeze: { reason: string | null; frozenBy: string | null; frozenAt: string } | null;
  /** Every token of the network with its decimals, so the page converts human ⇄ base units. */
  tokens: { symbol: string; name: string; address: string; decimals: number; stable: boolean }[];
}

/** GET /api/desk/me: the caller's key and role, the network and its tokens. */
export async function getDeskContext(
  db: Kysely<Database>,
  principal: Principal,
): Promise<DeskContext> {
  const network = getConfig().PAYGENT_NETWORK;
  const info = getNetwork(network);
  const row = await db
    .selectFrom("api_keys")
    .select("name")
    .where("id", "=", principal.keyId)
    .executeTakeFirst();
  const freeze = await db
    .selectFrom("freezes")
    .selectAll()
    .where("target", "=", WALLET_TARGET)
    .executeTakeFirst();
  return {
    walletFreeze: freeze
      ? {
          reason: freeze.reason,
          frozenBy: freeze.frozen_by,
          frozenAt: freeze.frozen_at.toISOString(),
        }
      : null,
    key: { id: principal.keyId, name: row?.name ?? null, role: roleOf(principal) },
    network: {
      name: network,
      chainId: info.chainId,
      explorerTxUrl: explorerTxUrl(network),
      dex: info.dex?.name ?? null,
    },
    tokens: info.tokens.map((t) => ({
      symbol: t.symbol,
      name: t.name,
      address: t.address,
      decimals: t.decimals,
      stable: t.stable,
    })),
  };
}
