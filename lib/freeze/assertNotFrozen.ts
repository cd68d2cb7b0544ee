import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { FrozenError } from "./errors.js";
import { keyTarget, WALLET_TARGET } from "./freezeTargets.js";

/** The freeze that stops a key from moving money, if any (the wallet's first). */
export async function findFreeze(
  db: Kysely<Database>,
  parameters: { keyId?: string | null },
): Promise<{ target: string; reason: string | null; frozenAt: Date } | undefined> {
  const targets = [WALLET_TARGET];
  if (parameters.keyId) targets.push(keyTarget(parameters.keyId));
  const rows = await db
    .selectFrom("freezes")
    .select(["target", "reason", "frozen_at"])
    .where("target", "in", targets)
    .execute();
  const row = rows.find((r) => r.target === WALLET_TARGET) ?? rows[0];
  return row ? { target: row.target, reason: row.reason, frozenAt: row.frozen_at } : undefined;
}

/**
 * Throws FrozenError (423) when the wallet or the key is frozen. New commands call it before
 * anything is accepted; the gate calls it (through gateAction) right before money moves.
 */
export async function assertNotFrozen(
  db: Kysely<Database>,
  parameters: { keyId?: string | null },
): Promise<void> {
  const freeze = await findFreeze(db, parameters);
  if (freeze) throw new FrozenError(freeze.target, freeze.reason);
}
