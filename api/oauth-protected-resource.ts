import { endpoint } from "../lib/http/index.js";
import { protectedResourceMetadata } from "../lib/mcp/protectedResource.js";
import { publicOrigin } from "../lib/mcp/publicOrigin.js";
import { protectedResourceDocument } from "../lib/mcp/schemas.js";

/**
 * GET /api/oauth-protected-resource — the RFC 9728 protected-resource metadata of /api/mcp. Served
 * at /.well-known/oauth-protected-resource/api/mcp too (vercel.json rewrite; dev/host.ts locally).
 */
export const GET = endpoint(
  {
    route: "/api/oauth-protected-resource",
    method: "GET",
    operationId: "getProtectedResourceMetadata",
    summary:
      "RFC 9728 metadata of /api/mcp (also at /.well-known/oauth-protected-resource/api/mcp)",
    tags: ["mcp"],
    auth: false,
    success: {
      status: 200,
      description: "Protected-resource metadata",
      schema: protectedResourceDocument,
      headers: { "cache-control": "public, max-age=3600", "access-control-allow-origin": "*" },
    },
  },
  ({ request }) => protectedResourceMetadata(publicOrigin(request)),
);
