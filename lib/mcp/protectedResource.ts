/** Path of Paygent's MCP endpoint (api/mcp.ts). */
export const MCP_PATH = "/api/mcp";

/**
 * Where the RFC 9728 protected-resource metadata of the MCP endpoint lives: the well-known prefix
 * inserted before the resource's path (RFC 9728 §3.1), i.e. /.well-known/oauth-protected-resource/api/mcp.
 */
export const PROTECTED_RESOURCE_PATH = `/.well-known/oauth-protected-resource${MCP_PATH}`;

/** The RFC 9728 protected-resource metadata document of the MCP endpoint. */
export interface ProtectedResourceMetadata {
  resource: string;
  bearer_methods_supported: string[];
  resource_name: string;
  resource_documentation: string;
  /** No OAuth authorization server issues these tokens: they are Paygent API keys. */
  authorization_servers: string[];
}

/** The document for a deployment at `origin` (e.g. "https://paygent.example"). */
export function protectedResourceMetadata(origin: string): ProtectedResourceMetadata {
  return {
    resource: `${origin}${MCP_PATH}`,
    bearer_methods_supported: ["header"],
    resource_name: "Paygent MCP server (Authorization: Bearer <Paygent API key>)",
    resource_documentation: `${origin}/api/openapi.json`,
    authorization_servers: [],
  };
}

/** Where the document is always served: the api/ function itself (no rewrite needed). */
export const PROTECTED_RESOURCE_FUNCTION_PATH = "/api/oauth-protected-resource";

/**
 * The 401 challenge: Bearer, pointing at the metadata document (RFC 9728 §5.1). It names the api/
 * function's own path rather than the well-known one, so it resolves on any deployment whether or
 * not the well-known rewrite is in place; clients that probe the well-known path find it too.
 */
export function mcpChallenge(origin: string, error?: "invalid_token"): string {
  return [
    'Bearer realm="paygent"',
    ...(error ? [`error="${error}"`] : []),
    `resource_metadata="${origin}${PROTECTED_RESOURCE_FUNCTION_PATH}"`,
  ].join(", ");
}
