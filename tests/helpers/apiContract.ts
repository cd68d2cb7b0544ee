import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { apiEndpoints } from "../../api/openapi.json.js";
import type { EndpointDeclaration } from "../../lib/http/index.js";
import { buildOpenApiDocument, type OpenApiDocument } from "../../lib/openapi/index.js";

/**
 * What the integration tests observe of the API, checked against what it declares: every status
 * a real host answered must be in the operation's OpenAPI responses, and every JSON success body
 * must parse with the operation's success schema (the same zod schema that types the handler).
 * tests/helpers/host.ts records each answer here; tests/api/openapi.test.ts reads the records.
 */

/** One answer a host gave, with what the contract check found. */
export interface Observation {
  method: string;
  /** The declared route ("/api/runs/[id]"), or the raw path when no route matches. */
  route: string;
  status: number;
  /** Fingerprint of the OpenAPI document the answer was checked against. */
  document: string;
  problems: string[];
}

const root = path.resolve(import.meta.dirname, "../..");
/** Where hosts of integration tests write their observations (gitignored). */
export const observationsDir = path.join(root, "test-results/api-observations");

interface Contract {
  document: OpenApiDocument;
  fingerprint: string;
  routes: { declaration: EndpointDeclaration; pattern: RegExp; params: number }[];
}

let contract: Contract | undefined;

/** The declarations and their document, built once per test process. */
export function apiContract(): Contract {
  if (contract) return contract;
  const declarations = apiEndpoints().map((handler) => handler.declaration);
  const document = buildOpenApiDocument({ endpoints: declarations });
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(document))
    .digest("hex")
    .slice(0, 16);
  const routes = declarations
    .map((declaration) => ({
      declaration,
      pattern: new RegExp(
        `^${declaration.route.replace(/[.]/g, "\\.").replace(/\[(\w+)\]/g, "[^/]+")}$`,
      ),
      params: (declaration.route.match(/\[/g) ?? []).length,
    }))
    // Static segments win over parameters: /api/services/discover before /api/services/[id].
    .sort((a, b) => a.params - b.params);
  contract = { document, fingerprint, routes };
  return contract;
}

/** The declaration serving METHOD pathname, if any. */
export function declarationOf(method: string, pathname: string): EndpointDeclaration | undefined {
  return apiContract().routes.find(
    (route) => route.declaration.method === method && route.pattern.test(pathname),
  )?.declaration;
}

/** Statuses the document declares for an operation. */
export function declaredStatuses(declaration: EndpointDeclaration): number[] {
  const { document } = apiContract();
  const path = declaration.route.replace(/\[(\w+)\]/g, "{$1}");
  const operation = document.paths[path]?.[declaration.method.toLowerCase()] as
    | { responses: Record<string, unknown> }
    | undefined;
  return Object.keys(operation?.responses ?? {}).map(Number);
}

/** Checks one answer against the declaration of its route. */
export function checkAnswer(answer: {
  method: string;
  pathname: string;
  status: number;
  contentType: string | null;
  body: unknown;
}): Observation {
  const { fingerprint } = apiContract();
  const declaration = declarationOf(answer.method, answer.pathname);
  const where = `${answer.method} ${answer.pathname} → ${answer.status}`;
  if (!declaration) {
    return {
      method: answer.method,
      route: answer.pathname,
      status: answer.status,
      document: fingerprint,
      // 404/405 for an undeclared path or method is the router's, not an operation's.
      problems: [404, 405].includes(answer.status) ? [] : [`${where}: no declared operation`],
    };
  }
  const problems: string[] = [];
  if (!declaredStatuses(declaration).includes(answer.status)) {
    problems.push(
      `${where}: status not declared for ${declaration.operationId} (declared: ${declaredStatuses(declaration).join(", ")})`,
    );
  }
  const isJson = answer.contentType?.includes("application/json") ?? false;
  const schema = declaration.success.schema;
  if (answer.status === declaration.success.status && isJson && schema) {
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
      problems.push(
        `${where}: body does not match ${declaration.operationId}'s schema: ${issues.join("; ")}`,
      );
    }
  }
  const other = declaration.responses?.[answer.status];
  if (other && typeof other !== "string" && isJson) {
    const parsed = other.schema.safeParse(answer.body);
    if (!parsed.success) {
      problems.push(`${where}: body does not match the declared ${answer.status} schema`);
    }
  } else if (answer.status >= 400 && isJson) {
    const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.code !== "string" || typeof error.message !== "string") {
      problems.push(`${where}: error body is not {error: {code, message}}`);
    }
  }
  return {
    method: answer.method,
    route: declaration.route,
    status: answer.status,
    document: fingerprint,
    problems,
  };
}

/** Appends an observation to this process's log (one JSON line each). */
export function recordObservation(observation: Observation): void {
  mkdirSync(observationsDir, { recursive: true });
  appendFileSync(
    path.join(observationsDir, `${process.pid}.jsonl`),
    `${JSON.stringify(observation)}\n`,
  );
}

/** Every recorded observation checked against the current document (older ones are skipped). */
export function readObservations(): Observation[] {
  const { fingerprint } = apiContract();
  let files: string[];
  try {
    files = readdirSync(observationsDir).filter((file) => file.endsWith(".jsonl"));
  } catch {
    return [];
  }
  return files.flatMap((file) =>
    readFileSync(path.join(observationsDir, file), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Observation)
      .filter((observation) => observation.document === fingerprint),
  );
}
