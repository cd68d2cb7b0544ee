import type { Principal } from "../auth/authenticate.js";

/** What the desk shows a key: the approver's desk, an agent's own runs, or everything (admin). */
export type DeskRole = "admin" | "approver" | "agent";

/**
 * The desk role of a caller. Keys that carry a role (admin/agent/approver) keep it; keys scoped
 * "sessions" are agents and "admin" keys are admins.
 */
export function roleOf(principal: Principal): DeskRole {
  const role = (principal as Principal & { role?: string }).role;
  if (role === "admin" || role === "approver" || role === "agent") return role;
  return principal.scope === "admin" ? "admin" : "agent";
}
