import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { apiEndpoints } from "../../api/openapi.json.js";
import { discoverApiRoutes } from "../../dev/routes.js";
import type { Endpoint } from "../../lib/http/index.js";
import { buildOpenApiDocument, type OpenApiDocument } from "../../lib/openapi/index.js";
import { readObservations } from "../helpers/apiContract.js";

const root = path.resolve(import.meta.dirname, "../..");
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** "METHOD /api/runs/[id]" for every handler exported by an api/ file (OPTIONS is CORS plumbing). */
async function servedOperations(): Promise<string[]> {
  const served: string[] = [];
  for (const route of discoverApiRoutes(root)) {
    const module = (await import(pathToFileURL(route.file).href)) as Record<string, unknown>;
    for (const method of methods) {
      if (typeof module[method] === "function") served.push(`${method} ${route.pattern}`);
    }
  }
  return served.sort();
}

function documentedOperations(document: OpenApiDocument): string[] {
  const documented: string[] = [];
  for (const [pathKey, item] of Object.entries(document.paths)) {
    for (const method of Object.keys(item)) {
      documented.push(`${method.toUpperCase()} ${pathKey.replace(/\{(\w+)\}/g, "[$1]")}`);
    }
  }
  return documented.sort();
}

/** Resolves a local JSON pointer ("#/components/schemas/Error") against the document. */
function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function collectRefs(node: unknown, refs: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) collectRefs(child, refs);
  else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") refs.push(value);
      else collectRefs(value, refs);
    }
  }
  return refs;
}

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean; schema: unknown }[];
  responses: Record<string, unknown>;
  security: Record<string, string[]>[];
  requestBody?: unknown;
};

function operations(document: OpenApiDocument): [string, string, Operation][] {
  return Object.entries(document.paths).flatMap(([pathKey, item]) =>
    Object.entries(item).map(
      ([method, op]) =>
        [pathKey, method, op as unknown as Operation] as [string, string, Operation],
    ),
  );
}

describe("openapi document", () => {
  const declarations = apiEndpoints().map((handler) => handler.declaration);
  const document = buildOpenApiDocument({ endpoints: declarations });

  test("behavior: every handler is an endpoint whose declaration names its own file and export", async () => {
    const mismatches: string[] = [];
    for (const route of discoverApiRoutes(root)) {
      const module = (await import(pathToFileURL(route.file).href)) as Record<string, unknown>;
      for (const method of methods) {
        const handler = module[method] as Endpoint | undefined;
        if (typeof handler !== "function") continue;
        const declared = handler.declaration;
        const where = `${method} ${path.relative(root, route.file)}`;
        if (!declared) mismatches.push(`${where}: not declared with endpoint()`);
        else if (declared.route !== route.pattern || declared.method !== method) {
          mismatches.push(`${where}: declared as ${declared.method} ${declared.route}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  test("behavior: every api/ route file and exported method is documented, and nothing else", async () => {
    const served = await servedOperations();
    const documented = documentedOperations(document);
    expect(served.length).toBeGreaterThan(30);
    expect(documented.filter((op) => !served.includes(op))).toEqual([]);
    expect(served.filter((op) => !documented.includes(op))).toEqual([]);
  });

  test("behavior: the document is structurally valid OpenAPI 3.1", () => {
    expect(document.openapi).toBe("3.1.0");
    const ids = operations(document).map(([, , op]) => op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]+$/);

    const schemes = Object.keys(document.components.securitySchemes);
    for (const [pathKey, method, op] of operations(document)) {
      const where = `${method.toUpperCase()} ${pathKey}`;
      expect(["get", "post", "put", "patch", "delete"], where).toContain(method);
      expect(
        Object.keys(op.responses).some((status) => /^2\d\d$/.test(status)),
        where,
      ).toBe(true);
      for (const status of Object.keys(op.responses)) expect(status, where).toMatch(/^[1-5]\d\d$/);
      // Path templates and path parameters match one to one, and are required.
      const templated = [...pathKey.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const pathParams = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(pathParams.map((p) => p.name).sort(), where).toEqual(templated);
      for (const p of pathParams) expect(p.required, where).toBe(true);
      const keys = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(new Set(keys).size, where).toBe(keys.length);
      for (const requirement of op.security) {
        for (const scheme of Object.keys(requirement)) expect(schemes, where).toContain(scheme);
      }
    }
  });

  test("behavior: every $ref resolves inside the document and no zod $defs leak", () => {
    const refs = collectRefs(document);
    expect(refs.length).toBeGreaterThan(50);
    const dangling = [...new Set(refs)].filter(
      (ref) => resolvePointer(document, ref) === undefined,
    );
    expect(dangling).toEqual([]);
    expect(JSON.stringify(document)).not.toContain('"$defs"');
  });

  test("behavior: schemas come from the handlers' zod schemas (a change there shows here)", () => {
    const execute = document.components.schemas.ExecuteRequest as {
      properties: Record<string, { maxLength?: number; pattern?: string }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(execute.required).toEqual(["command"]);
    expect(execute.properties.command?.maxLength).toBe(1000);
    expect(execute.properties.sessionId?.pattern).toBe("^ses_[0-9a-z]{26}$");
    expect(execute.additionalProperties).toBe(false);
    const listRuns = document.paths["/api/runs"]?.get as unknown as Operation;
    expect(listRuns.parameters?.map((p) => p.name)).toEqual([
      "sessionId",
      "status",
      "limit",
      "cursor",
    ]);
    // Defaults make a query field optional for the client (input side of the schema).
    expect(listRuns.parameters?.find((p) => p.name === "limit")?.required).toBe(false);
  });

  test("behavior: auth requirements follow the route's guard", () => {
    const op = (pathKey: string, method: string) =>
      document.paths[pathKey]?.[method] as unknown as Operation & { "x-paygent-auth": string };
    expect(op("/api/health", "get").security).toEqual([]);
    expect(op("/api/openapi.json", "get").security).toEqual([]);
    expect(op("/api/runs/{id}", "get").security).toEqual([{ apiKey: [] }]);
    expect(op("/api/keys", "post")["x-paygent-auth"]).toBe("admin");
    expect(op("/api/keys", "post").responses["403"]).toBeDefined();
    expect(op("/api/webhooks/payment", "post").security).toEqual([{ webhookSignature: [] }]);
    expect(op("/api/cron/chain", "get").security).toEqual([{ cronSecret: [] }]);
    expect(op("/api/demo/market-data", "get").responses["402"]).toBeDefined();
  });

  test("behavior: every JSON success response has a schema, from the declaration's zod schema", () => {
    const missing: string[] = [];
    for (const [pathKey, method, op] of operations(document)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^2\d\d$/.test(status) || status === "204") continue;
        const content = (response as { content?: Record<string, { schema?: unknown }> }).content;
        const json = content?.["application/json"];
        if (json && !json.schema) missing.push(`${method.toUpperCase()} ${pathKey} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    // A change in the zod schema shows here: the session's budget is the amount response form.
    const created = (document.paths["/api/agent/sessions"]!.post as unknown as Operation).responses[
      "201"
    ] as { content: { "application/json": { schema: { properties: Record<string, unknown> } } } };
    const budget = created.content["application/json"].schema.properties.budget;
    expect(JSON.stringify(budget)).toContain("baseUnits");
    expect(JSON.stringify(budget)).toContain("formatted");
  });

  test("behavior: Idempotency-Key and Last-Event-ID are declared where the handlers read them", () => {
    const headers = (pathKey: string, method: string) =>
      ((document.paths[pathKey]![method] as unknown as Operation).parameters ?? [])
        .filter((p) => p.in === "header")
        .map((p) => p.name);
    for (const pathKey of [
      "/api/agent/execute",
      "/api/wallet/transfer",
      "/api/payments/x402",
      "/api/subscriptions",
    ]) {
      expect(headers(pathKey, "post"), pathKey).toContain("Idempotency-Key");
    }
    expect(headers("/api/runs/{id}/events", "get")).toEqual(["Last-Event-ID"]);
  });

  test("behavior: the statuses issue 20 found drifting are declared", () => {
    const statuses = (pathKey: string, method: string) =>
      Object.keys((document.paths[pathKey]![method] as unknown as Operation).responses);
    expect(statuses("/api/runs/{id}/cancel", "post")).toEqual(
      expect.arrayContaining(["202", "409"]),
    );
    expect(statuses("/api/approvals/{token}", "post")).toEqual(
      expect.arrayContaining(["200", "409", "410", "422"]),
    );
    expect(statuses("/api/webhooks/payment", "post")).toContain("503");
    expect(statuses("/api/webhooks/chain", "post")).toContain("503");
    expect(statuses("/api/subscriptions", "post")).toEqual(expect.arrayContaining(["202", "409"]));
    expect(statuses("/api/subscriptions", "post")).not.toContain("200");
  });

  test("behavior: every status the integration tests observed is declared, and their bodies fit", () => {
    // tests/helpers/host.ts records each answer a host gave (test-results/api-observations), checked
    // against the declarations of this document; tests/api/contract.test.ts records the most.
    const observations = readObservations();
    const problems = observations.flatMap((observation) => observation.problems);
    expect(problems).toEqual([]);
  });

  test("args: GET /api/openapi.json serves the same document without an API key", async () => {
    const { GET } = (await import("../../api/openapi.json.js")) as {
      GET: (request: Request) => Promise<Response>;
    };
    const response = await GET(new Request("http://localhost/api/openapi.json"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });

  test("error: two operations on the same method and path are refused", () => {
    const first = declarations[0]!;
    expect(() =>
      buildOpenApiDocument({ endpoints: [first, { ...first, operationId: "other" }] }),
    ).toThrowError(/Duplicate operation POST \/api\/agent\/execute/);
  });
});
