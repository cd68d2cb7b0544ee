import type { Principal } from "../auth/authenticate.js";
import type { McpRole } from "./toolSpecs.js";

/**
 * The role a key acts in on the MCP server: its own role (issue 13), nothing else. An agent key
 * gets the agent tools, an approver key the approval tools, an admin key both; a tool of another
 * role is not even registered for the request (createMcpServer).
 */
export function mcpRoleOf(principal: Principal): McpRole {
  return principal.role;
}
