import type { KeyRole } from "../db/database.js";
import { ClientError } from "../errors/index.js";
import type { Principal } from "./authenticate.js";

/** What a key may do: admin manages, agent submits commands, approver decides approvals. */
export type Role = KeyRole;

/** Every role, in the order the API documents them. */
export const roles = ["admin", "agent", "approver"] as const satisfies readonly Role[];

/** The roles that may submit commands (money-moving runs). Approvers never can. */
export const commandRoles = ["admin", "agent"] as const satisfies readonly Role[];

/** The roles that may decide approvals. Agents never can, whatever else they hold. */
export const deciderRoles = ["admin", "approver"] as const satisfies readonly Role[];

/**
 * Throws 403 (kind "refused") unless the principal's role is one of `allowed`. The message names
 * both, so a client sees at once which key it should have used.
 */
export function requireRole(principal: Pick<Principal, "role">, allowed: readonly Role[]): void {
  if (allowed.includes(principal.role)) return;
  const needed = allowed.length === 1 ? `an ${allowed[0]} key` : `one of: ${allowed.join(", ")}`;
  throw new ClientError("forbidden", `This needs ${needed}; this key's role is ${principal.role}`);
}

/** The legacy scope older code reads: admin reaches everything, every other role its own sessions. */
export function legacyScope(role: Role): "admin" | "sessions" {
  return role === "admin" ? "admin" : "sessions";
}

/**
 * The deprecated `scope` a key reports in /api/keys answers: "admin", "sessions" (the agent role,
 * README), or null for an approver, a role no scope ever named. Reporting "sessions" there told
 * legacy readers an approver was an agent key. Authorization keeps reading legacyScope.
 */
export function reportedScope(role: Role): "admin" | "sessions" | null {
  return role === "approver" ? null : legacyScope(role);
}
