import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import { emitNotification } from "../notifications/emitNotification.js";
import { keyTarget, WALLET_TARGET } from "./freezeTargets.js";

export interface SetFrozenParameters {
  /** A key id, or "wallet" for the agent wallet. */
  target: { keyId: string } | "wallet";
  frozen: boolean;
  reason?: string;
  /** The admin key making the change (recorded and reported). */
  by?: string;
  now?: Date;
}

export interface SetFrozenReturnType {
  target: string;
  frozen: boolean;
  /** False when the state already was as asked (idempotent). */
  changed: boolean;
  frozenAt: Date | null;
}

/**
 * Freezes or unfreezes the wallet or one key (the four admin routes call this). Freezing enqueues
 * key.frozen (with scope "wallet" for the wallet) in the same transaction. 404 for an unknown key.
 */
export async function setFrozen(
  db: Kysely<Database>,
  parameters: SetFrozenParameters,
): Promise<SetFrozenReturnType> {
  const now = parameters.now ?? new Date();
  const target =
    parameters.target === "wallet" ? WALLET_TARGET : keyTarget(parameters.target.keyId);
  return await db.transaction().execute(async (trx) => {
    if (parameters.target !== "wallet") {
      const key = await trx
        .selectFrom("api_keys")
        .select("id")
        .where("id", "=", parameters.target.keyId)
        .executeTakeFirst();
      if (!key) throw new ClientError("not_found", `API key ${parameters.target.keyId} not found`);
    }
    if (!parameters.frozen) {
      const removed = await trx
        .deleteFrom("freezes")
        .where("target", "=", target)
        .returning("target")
        .executeTakeFirst();
      return { target, frozen: false, changed: removed !== undefined, frozenAt: null };
    }
    const inserted = await trx
      .insertInto("freezes")
      .values({
        target,
        reason: parameters.reason ?? null,
        frozen_by: parameters.by ?? null,
        frozen_at: now,
      })
      .onConflict((conflict) => conflict.column("target").doNothing())
      .returning("frozen_at")
      .executeTakeFirst();
    if (inserted) {
      await emitNotification(trx, {
        type: "key.frozen",
        now,
        data: {
          scope: parameters.target === "wallet" ? "wallet" : "key",
          keyId: parameters.target === "wallet" ? null : parameters.target.keyId,
          reason: parameters.reason ?? null,
          by: parameters.by ?? null,
          frozenAt: now.toISOString(),
        },
      });
      return { target, frozen: true, changed: true, frozenAt: inserted.frozen_at };
    }
    const existing = await trx
      .selectFrom("freezes")
      .select("frozen_at")
      .where("target", "=", target)
      .executeTakeFirstOrThrow();
    return { target, frozen: true, changed: false, frozenAt: existing.frozen_at };
  });
}

/** Freezes one key (POST /api/keys/{id}/freeze). */
export const freezeKey = (
  db: Kysely<Database>,
  keyId: string,
  options: { reason?: string; by?: string } = {},
) => setFrozen(db, { target: { keyId }, frozen: true, ...options });

/** Unfreezes one key (POST /api/keys/{id}/unfreeze). */
export const unfreezeKey = (db: Kysely<Database>, keyId: string, options: { by?: string } = {}) =>
  setFrozen(db, { target: { keyId }, frozen: false, ...options });

/** Freezes the agent wallet for every key (POST /api/wallet/freeze). */
export const freezeWallet = (
  db: Kysely<Database>,
  options: { reason?: string; by?: string } = {},
) => setFrozen(db, { target: "wallet", frozen: true, ...options });

/** Unfreezes the agent wallet (POST /api/wallet/unfreeze). */
export const unfreezeWallet = (db: Kysely<Database>, options: { by?: string } = {}) =>
  setFrozen(db, { target: "wallet", frozen: false, ...options });
