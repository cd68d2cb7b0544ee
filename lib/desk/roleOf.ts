import type { Principal } from "../auth/authenticate.js";
import type { Role } from "../auth/roles.js";

/** What the desk shows a key: the approver's desk, an agent's own runs, or everything (admin). */
export type DeskRole = Role;

/** The desk role of a caller: its key's role. */
export function roleOf(principal: Pick<Principal, "role">): DeskRole {
  return principal.role;
}
