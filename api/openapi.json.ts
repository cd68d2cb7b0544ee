import { json, route } from "../lib/http/index.js";
import { buildOpenApiDocument } from "../lib/openapi/index.js";

/** GET /api/openapi.json — public; the OpenAPI 3.1 description of this API, built from its zod schemas. */
export const GET = route("/api/openapi.json", () =>
  json(buildOpenApiDocument(), { headers: { "cache-control": "public, max-age=300" } }),
);
