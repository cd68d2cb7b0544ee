import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { resolveKeyControls } from "../policy/resolveKeyControls.js";
import type { Principal } from "./authenticate.js";

/**
 * The principal with its key's policy and freezes (principal.controls), read in one statement
 * unless the route already read them with the key. Accepts outside endpoint()'s `keyControls`
 * (the MCP tools) call it first: checkStartPolicy then decides on these controls, and the run's
 * insert fails if they changed since (their version, see startRun), as for a REST accept.
 */
export async function withKeyControls(
  db: Kysely<Database>,
  principal: Principal,
): Promise<Principal> {
  if (principal.controls) return principal;
  const keyId = principal.keyId === "auth-disabled" ? null : principal.keyId;
  return { ...principal, controls: await resolveKeyControls(db, { keyId }) };
}
