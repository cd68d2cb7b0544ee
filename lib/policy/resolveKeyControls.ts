import type { Kysely } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Database } from "../db/database.js";
import { keyTarget, WALLET_TARGET } from "../freeze/freezeTargets.js";
import {
  keyPolicy,
  type ResolvedPolicy,
  resolvePolicy,
  toResolvedPolicy,
} from "./resolvePolicy.js";

/** A freeze that stops a key from moving money. */
export interface ActiveFreeze {
  target: string;
  reason: string | null;
  frozenAt: Date;
}

/** What governs a key right now: its policy and, if any, the freeze that stops it. */
export interface KeyControls {
  policy: ResolvedPolicy;
  /** The wallet's freeze first, else the key's; undefined when neither is frozen. */
  freeze?: ActiveFreeze;
}

/**
 * The key's policy and freezes in one round trip, read fresh every time (never cached: a freeze or
 * a tightened policy applies to the very next request). Accepting a command needs both, and each
 * extra statement is a wait on a busy database under a burst (issue 17).
 */
export async function resolveKeyControls(
  db: Kysely<Database>,
  parameters: { keyId: string | null },
): Promise<KeyControls> {
  const { keyId } = parameters;
  const targets = keyId ? [WALLET_TARGET, keyTarget(keyId)] : [WALLET_TARGET];
  const row = await db
    .selectNoFrom((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom("freezes")
          .select(["target", "reason", "frozen_at"])
          .where("target", "in", targets),
      ).as("freezes"),
      ...(keyId ? [keyPolicy(eb, keyId).as("policy")] : []),
    ])
    .executeTakeFirstOrThrow();
  const freezes = row.freezes as { target: string; reason: string | null; frozen_at: string }[];
  const frozen = freezes.find((f) => f.target === WALLET_TARGET) ?? freezes[0];
  const policy = keyId
    ? toResolvedPolicy((row as { policy: Parameters<typeof toResolvedPolicy>[0] }).policy)
    : await resolvePolicy(db, { keyId: null });
  return {
    policy,
    ...(frozen
      ? {
          freeze: {
            target: frozen.target,
            reason: frozen.reason,
            frozenAt: new Date(frozen.frozen_at),
          },
        }
      : {}),
  };
}
