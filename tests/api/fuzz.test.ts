/**
 * Fuzzes every api/ route in-process with malformed and hostile input. Each route file is found on
 * disk (as the dev host and Vercel do), its method exports are called with new Request(...), and
 * every answer must be a 4xx with a clean {error:{code,message}} body — never a 500, a stack trace
 * or a secret — and must leave every table's row count unchanged.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { discoverApiRoutes } from "../../dev/routes.js";
import { createApiKey, revokeApiKey } from "../../lib/auth/apiKeys.js";
import { useScratchProcessDb } from "../helpers/useScratchProcessDb.js";

const root = path.resolve(import.meta.dirname, "../..");
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof methods)[number];
type Handler = (request: Request) => Promise<Response>;

/**
 * Routes whose answer does not depend on the input (they take none): they must still never 500
 * or leak, but may answer these statuses.
 */
const inputFree: Record<string, number[]> = {
  "GET /api/health": [200, 503],
  "GET /api/openapi.json": [200],
  // Public by design (issue 15): RFC 9728 metadata, and the devnet facilitator's catalogue (whose
  // only input is its page, refused with 400 when malformed).
  "GET /api/oauth-protected-resource": [200],
  "GET /api/facilitator/discovery/resources": [200, 400],
};
/** Routes that start real work when the input is valid: fuzzed with invalid input only. */
const startsWork = new Set([
  "POST /api/agent/execute",
  "POST /api/wallet/transfer",
  "POST /api/payments/x402",
  "POST /api/subscriptions",
]);

const secrets = {
  WEBHOOK_SECRET: `whsec_fuzz_${randomBytes(8).toString("hex")}`,
  CRON_SECRET: `cron_fuzz_${randomBytes(8).toString("hex")}`,
  // Anvil's well-known dev keys: never real funds, but they must not be echoed either.
  AGENT_PRIVATE_KEY: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5f6c15d7c5b1c7e3d2a1",
  FACILITATOR_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
};

let workflowDir: string;
const testDb = useScratchProcessDb({
  env: async () => {
    workflowDir = await mkdtemp(path.join(tmpdir(), "paygent-fuzz-wf-"));
    return {
      ...secrets,
      RATE_LIMIT_PER_MINUTE: "1000000",
      WORKFLOW_LOCAL_DATA_DIR: workflowDir,
      LOG_LEVEL: "silent",
    };
  },
  unset: [
    "REDIS_URL",
    "UPSTASH_REDIS_REST_URL",
    "KV_REST_API_URL",
    "AUTH_DISABLED",
    "PAYGENT_ADMIN_KEY",
  ],
});
const keys = { admin: "", sessions: "", revoked: "", approver: "" };

beforeAll(async () => {
  keys.admin = (await createApiKey(testDb.db, { name: "fuzz-admin", scope: "admin" })).key;
  keys.sessions = (await createApiKey(testDb.db, { name: "fuzz-sessions", scope: "sessions" })).key;
  const revoked = await createApiKey(testDb.db, { name: "fuzz-revoked", scope: "admin" });
  await revokeApiKey(testDb.db, revoked.id);
  keys.revoked = revoked.key;
  const { createKey } = await import("../../lib/auth/createKey.js");
  keys.approver = (await createKey(testDb.db, { name: "fuzz-approver", role: "approver" })).key;
});

afterAll(async () => {
  await rm(workflowDir, { recursive: true, force: true });
});

/** Row counts of every table in the scratch database, in one query. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(
    testDb.db,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    const result = await sql<{
      n: string;
    }>`select count(*)::text as n from ${sql.table(table_name)}`.execute(testDb.db);
    counts[table_name] = Number(result.rows[0]!.n);
  }
  return counts;
}

/** Field names any request schema uses, read from the zod schemas in api/ and lib/. */
async function schemaFieldNames(): Promise<string[]> {
  const names = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith(".ts")) {
        const text = await readFile(full, "utf8");
        for (const match of text.matchAll(
          /\b([A-Za-z_]\w{0,40}):\s*(?:z\s*\.|[a-z]\w*(?:Id|Amount|Symbol|Input|Token)\b)/g,
        )) {
          names.add(match[1]!);
        }
      }
    }
  };
  await walk(path.join(root, "api"));
  await walk(path.join(root, "lib"));
  return [...names].sort();
}

const deepJson = `${"[".repeat(5000)}${"]".repeat(5000)}`;
const deepObject = `${'{"a":'.repeat(40)}1${"}".repeat(40)}`;
const hugeJson = JSON.stringify({ command: "x".repeat(70 * 1024) });
const wrongTypes: unknown[] = [
  12345,
  -1,
  1e308,
  true,
  null,
  [],
  [1, 2],
  { $gt: "" },
  "x".repeat(20_000),
];
const hostileStrings = [
  "' OR '1'='1'; DROP TABLE runs; --",
  "<script>alert(1)</script>",
  "$" + "{7*7}{{7*7}}#{7*7}",
  "\u0000\u0001\u001f",
  "𝕏💸\u202Eevil\uFEFF",
  "0xZZZZ",
  "0x0000000000000000000000000000000000000000",
  "-1",
  "1e400",
  "NaN",
  "../../../etc/passwd",
  "%s%n%x",
];
const badIds = [
  "nope",
  "run_00000000000000000000000000",
  "ses_00000000000000000000000000",
  "key_0000000000000000",
  "%E0%A4%A",
  "%00",
  "x".repeat(5000),
  "..%2F..%2Fetc%2Fpasswd",
  "'%20OR%201%3D1%20--",
  "%F0%9F%92%B8",
  "-1",
  "null",
  "0x123",
];

interface Case {
  label: string;
  /** Must be rejected (4xx) and write nothing. Otherwise: must not 5xx or leak. */
  mustReject: boolean;
  request: (url: string) => Request;
}

function makeCases(
  route: { pattern: string },
  method: Method,
  fields: string[],
): { path: string; cases: Case[] }[] {
  const params = [...route.pattern.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!);
  const fill = (value: string) => route.pattern.replace(/\[(\w+)\]/g, () => value);
  const plausible = fill("zz_fuzz_nonexistent_0");
  const hasBody = method !== "GET" && method !== "DELETE";
  const auth = { authorization: `Bearer ${keys.admin}` };
  const jsonHeaders = { ...auth, "content-type": "application/json" };
  const req =
    (init: { headers?: Record<string, string>; body?: string; query?: string } = {}) =>
    (url: string) =>
      new Request(`${url}${init.query ?? ""}`, {
        method,
        headers: init.headers ?? auth,
        body: hasBody ? init.body : undefined,
      });

  const out: { path: string; cases: Case[] }[] = [];
  const authCases: Case[] = [
    { label: "no auth", mustReject: true, request: req({ headers: {}, body: "{}" }) },
    {
      label: "garbage bearer",
      mustReject: true,
      request: req({ headers: { authorization: "Bearer ' OR 1=1 --" }, body: "{}" }),
    },
    {
      label: "basic auth",
      mustReject: true,
      request: req({ headers: { authorization: "Basic YWRtaW46YWRtaW4=" }, body: "{}" }),
    },
    {
      label: "revoked key",
      mustReject: true,
      request: req({ headers: { authorization: `Bearer ${keys.revoked}` }, body: "{}" }),
    },
    {
      label: "huge bearer",
      mustReject: true,
      request: req({ headers: { authorization: `Bearer ${"a".repeat(8000)}` }, body: "{}" }),
    },
  ];
  out.push({ path: plausible, cases: authCases });

  if (params.length > 0) {
    out.push(
      ...badIds.map((id) => ({
        path: fill(id),
        cases: [
          {
            label: `bad path id ${id.slice(0, 30)}`,
            mustReject: true,
            request: req({ headers: jsonHeaders, body: "{}" }),
          },
          {
            label: `bad path id ${id.slice(0, 30)} (sessions key)`,
            mustReject: true,
            request: req({
              headers: {
                authorization: `Bearer ${keys.sessions}`,
                "content-type": "application/json",
              },
              body: "{}",
            }),
          },
        ],
      })),
    );
  }

  const queryCases: Case[] = [
    "?limit=-1",
    "?limit=1e400",
    "?limit=abc",
    "?limit=1&limit=100000",
    `?cursor=${"x".repeat(5000)}`,
    "?status=%3Cscript%3E",
    "?sessionId=%27%20OR%201%3D1--",
    "?__proto__[admin]=1",
    "?%E0%A4%A=1",
  ].map((query) => ({
    label: `query ${query.slice(0, 30)}`,
    // A GET list may legitimately ignore or accept some parameters; it must never write.
    mustReject: false,
    request: req({ headers: jsonHeaders, query, body: "{}" }),
  }));
  out.push({ path: plausible, cases: queryCases });

  if (hasBody) {
    const bodyCases: Case[] = [
      {
        label: "invalid JSON",
        mustReject: true,
        request: req({ headers: jsonHeaders, body: "{not json" }),
      },
      {
        label: "JSON array root",
        mustReject: true,
        request: req({ headers: jsonHeaders, body: "[1,2,3]" }),
      },
      {
        label: "JSON string root",
        mustReject: true,
        request: req({ headers: jsonHeaders, body: '"hello"' }),
      },
      {
        label: "JSON null root",
        mustReject: true,
        request: req({ headers: jsonHeaders, body: "null" }),
      },
      {
        label: "deep JSON",
        mustReject: true,
        request: req({ headers: jsonHeaders, body: deepJson }),
      },
      {
        label: "deep object",
        mustReject: true,
        request: req({ headers: jsonHeaders, body: deepObject }),
      },
      {
        label: "huge body",
        mustReject: true,
        request: req({ headers: jsonHeaders, body: hugeJson }),
      },
      {
        label: "lying content-length",
        mustReject: true,
        request: req({ headers: { ...jsonHeaders, "content-length": "999999999" }, body: "{}" }),
      },
      {
        label: "form body",
        mustReject: true,
        request: req({
          headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
          body: "a=1&b=2",
        }),
      },
      {
        label: "unknown fields",
        mustReject: true,
        request: req({ headers: jsonHeaders, body: '{"__proto__":{"admin":true},"zz_unknown":1}' }),
      },
      {
        label: "invalid UTF-8",
        mustReject: true,
        request: req({
          headers: jsonHeaders,
          body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString("latin1"),
        }),
      },
      ...wrongTypes.map((value) => ({
        label: `every field = ${JSON.stringify(value).slice(0, 20)}`,
        mustReject: true,
        request: req({
          headers: jsonHeaders,
          body: JSON.stringify(Object.fromEntries(fields.map((f) => [f, value]))),
        }),
      })),
      ...hostileStrings.map((value) => ({
        label: `every field = ${JSON.stringify(value).slice(0, 20)}`,
        // A string field may accept any text; the answer must still be clean.
        mustReject: false,
        request: req({
          headers: jsonHeaders,
          body: JSON.stringify(Object.fromEntries(fields.map((f) => [f, value]))),
        }),
      })),
    ];
    out.push({ path: plausible, cases: bodyCases });
  }
  return out;
}

/** Problems with one answer: status, body shape, leaks. */
async function inspect(
  response: Response,
  mustReject: boolean,
  allowed: number[] | undefined,
): Promise<string[]> {
  const problems: string[] = [];
  const text = await response.text();
  if (allowed) {
    if (!allowed.includes(response.status)) problems.push(`status ${response.status}`);
  } else if (response.status >= 500 && (mustReject || response.status !== 503)) {
    // 503 is honest only for input a route may accept (a GET ignoring an extra query parameter)
    // whose backing service (chain RPC) is down; invalid input must be refused before that.
    problems.push(`status ${response.status}`);
  } else if (mustReject && (response.status < 400 || response.status >= 500))
    problems.push(`accepted with ${response.status}`);
  if (response.status >= 400 && response.status < 500 && response.status !== 402) {
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.code !== "string" || typeof body.error?.message !== "string")
        problems.push("error body shape");
    } catch {
      problems.push("non-JSON error body");
    }
  }
  if (/\n\s+at\s|\bat [\w.<>]+ \(|node_modules|\/work\/|file:\/\//.test(text))
    problems.push("stack or path in body");
  for (const [name, value] of Object.entries({
    ...secrets,
    DATABASE_URL: testDb.url,
    ADMIN_KEY: keys.admin,
  })) {
    if (text.includes(value!)) problems.push(`${name} in body`);
  }
  if (/postgres(ql)?:\/\/|redis:\/\//i.test(text)) problems.push("connection string in body");
  return problems;
}

const routes = discoverApiRoutes(root);

/** PATCH lowers a limit (an empty change is refused as a 400 before any lookup); POST needs no body. */
function validBodyFor(method: Method): string {
  return method === "PATCH" ? JSON.stringify({ approvalThreshold: "0.01" }) : "{}";
}

describe("tenant isolation", () => {
  test("behavior: a sessions-scoped key gets 404 for another key's session on every session route", async () => {
    const { createSession } = await import("../../lib/sessions/createSession.js");
    const owner = await createApiKey(testDb.db, { name: "fuzz-owner", scope: "sessions" });
    const session = await createSession(testDb.db, {
      principal: { keyId: owner.id, role: "agent", scope: "sessions" },
    });
    const sessionRoutes = routes.filter((r) => r.pattern.startsWith("/api/agent/sessions/["));
    expect(sessionRoutes.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const r of sessionRoutes) {
      const module = (await import(pathToFileURL(r.file).href)) as Partial<Record<Method, Handler>>;
      for (const method of methods) {
        const handler = module[method];
        if (typeof handler !== "function") continue;
        const before = await rowCounts();
        const response = await handler(
          new Request(`http://localhost${r.pattern.replace(/\[\w+\]/, session.id)}`, {
            method,
            headers: {
              authorization: `Bearer ${keys.sessions}`,
              "content-type": "application/json",
            },
            // A body each route accepts, so ownership (not validation) decides the answer.
            body: method === "GET" || method === "DELETE" ? undefined : validBodyFor(method),
          }),
        );
        const text = await response.text();
        const after = await rowCounts();
        if (response.status !== 404) failures.push(`${method} ${r.pattern}: ${response.status}`);
        if (JSON.stringify(before) !== JSON.stringify(after))
          failures.push(`${method} ${r.pattern}: wrote rows`);
        if (text.includes(owner.id))
          failures.push(`${method} ${r.pattern}: leaked the owner key id`);
      }
    }
    const list = routes.find((r) => r.pattern === "/api/agent/sessions");
    if (list) {
      const module = (await import(pathToFileURL(list.file).href)) as Partial<
        Record<Method, Handler>
      >;
      const response = await module.GET!(
        new Request("http://localhost/api/agent/sessions?limit=100", {
          headers: { authorization: `Bearer ${keys.sessions}` },
        }),
      );
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain(session.id);
    }
    const still = await testDb.db
      .selectFrom("agent_sessions")
      .select("status")
      .where("id", "=", session.id)
      .executeTakeFirstOrThrow();
    expect(still.status).toBe("active");
    expect(failures).toEqual([]);
  });
});

describe("roles", () => {
  test("behavior: every route refuses (403, nothing written) the roles its declaration leaves out", async () => {
    const { apiEndpoints } = await import("../../api/openapi.json.js");
    const failures: string[] = [];
    let checked = 0;
    for (const endpoint of apiEndpoints()) {
      const { auth, route, method } = endpoint.declaration;
      if (auth === false || auth === "any" || auth === "cron") continue;
      if (auth === "webhook" || auth === "x402") continue;
      const allowed: readonly string[] = typeof auth === "string" ? [auth] : auth;
      for (const [role, key] of [
        ["agent", keys.sessions],
        ["approver", keys.approver],
      ] as const) {
        if (allowed.includes(role)) continue;
        const path = route.replace(/\[(\w+)\]/g, (_, name: string) =>
          name === "token" ? "apr_0000000000000000000000000z" : "key_0000000000000000",
        );
        const before = await rowCounts();
        const response = await endpoint(
          new Request(`http://localhost${path}`, {
            method,
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            // A body each route accepts, so ownership (not validation) decides the answer.
            body: method === "GET" || method === "DELETE" ? undefined : validBodyFor(method),
          }),
        );
        checked++;
        if (response.status !== 403)
          failures.push(`${role} ${method} ${route}: ${response.status}`);
        if (JSON.stringify(before) !== JSON.stringify(await rowCounts()))
          failures.push(`${role} ${method} ${route}: wrote rows`);
      }
    }
    // Admin-only routes (keys, policies, notifications, freezes) and command routes are all here.
    expect(checked).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });
});

describe("fuzz api/", async () => {
  const fields = await schemaFieldNames();

  test("discovers the route files", () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(fields).toContain("command");
  });

  for (const route of routes) {
    let module: Partial<Record<Method, Handler>>;
    try {
      module = (await import(pathToFileURL(route.file).href)) as Partial<Record<Method, Handler>>;
    } catch (error) {
      // A route that cannot load answers nothing but 500s once deployed: report it as a failure.
      test(`behavior: ${route.pattern} loads`, () => {
        throw error;
      });
      continue;
    }
    for (const method of methods) {
      const handler = module[method];
      if (typeof handler !== "function") continue;
      const name = `${method} ${route.pattern}`;
      test(`behavior: ${name} answers hostile input with a clean 4xx and writes nothing`, async () => {
        const failures: string[] = [];
        let sent = 0;
        for (const group of makeCases(route, method, fields)) {
          for (const fuzz of group.cases) {
            if (startsWork.has(name) && !fuzz.mustReject) continue;
            const before = await rowCounts();
            let response: Response;
            try {
              response = await handler(fuzz.request(`http://localhost${group.path}`));
            } catch (error) {
              failures.push(`${fuzz.label}: threw ${(error as Error).name}`);
              continue;
            }
            sent++;
            const problems = await inspect(response, fuzz.mustReject, inputFree[name]);
            const after = await rowCounts();
            const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
            // Only a rejected request is held to "nothing written"; an accepted one may create rows.
            if (changed.length > 0 && (fuzz.mustReject || response.status >= 400)) {
              problems.push(`wrote rows in ${changed.join(", ")}`);
            }
            if (problems.length > 0) failures.push(`${fuzz.label}: ${problems.join("; ")}`);
          }
        }
        expect(sent).toBeGreaterThan(0);
        expect(failures).toEqual([]);
      });
    }
  }
});
