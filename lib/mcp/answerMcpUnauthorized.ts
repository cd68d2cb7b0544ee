import type { ClientError } from "../errors/index.js";
import { json } from "../http/respond.js";
import { mcpChallenge, protectedResourceMetadata } from "./protectedResource.js";
import { publicOrigin } from "./publicOrigin.js";

/**
 * The MCP endpoint's 401: `WWW-Authenticate: Bearer resource_metadata=…` (RFC 9728 §5.1) and the
 * protected-resource document in the body, so an MCP client learns how to authenticate. A key that
 * was sent but is unknown or revoked is flagged `error="invalid_token"`.
 */
export function answerMcpUnauthorized(request: Request, error: ClientError): Response {
  const origin = publicOrigin(request);
  const hasKey = request.headers.has("authorization");
  return json(
    {
      error: { code: "unauthorized", message: error.shortMessage },
      ...protectedResourceMetadata(origin),
    },
    {
      status: 401,
      headers: { "www-authenticate": mcpChallenge(origin, hasKey ? "invalid_token" : undefined) },
    },
  );
}
