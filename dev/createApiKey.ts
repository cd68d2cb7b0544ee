/**
 * Creates an API key and prints it once: `npm run keys:create -- --name ops --role admin`.
 * Uses the configured database (DATABASE_URL, else the embedded PGlite data dir). While another
 * process (the dev host) holds the PGlite folder, the key is created through that host's admin API
 * (POST /api/keys, with the dev admin key or PAYGENT_ADMIN_KEY) instead of writing the folder from
 * a second process; without a usable admin key it refuses and says why.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createKey } from "../lib/auth/createKey.js";
import { getConfig } from "../lib/config.js";
import { closeDb, getDb } from "../lib/db/index.js";
import { DataDirLockedError } from "../lib/db/lockDataDir.js";

const usage = `usage: npm run keys:create -- --name <name> [--role admin|agent|approver] [--policy pol_…]

Creates an API key and prints it once (stdout); details go to stderr.
  --name     a label for the key (required)
  --role     admin, agent (default) or approver
  --policy   the id of the policy the key is bound to (default: the operator default policy)
  --scope    deprecated: sessions = --role agent
  --help     this text

With the dev host running on the same PGlite folder, the key is created through the host's
admin API (http://HOST:PORT/api/keys, authorised by .data/dev-api-key or PAYGENT_ADMIN_KEY).
`;

const argsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(["admin", "agent", "approver"]).default("agent"),
  policy: z.string().trim().min(1).optional(),
});

type KeyRequest = z.output<typeof argsSchema>;

interface CreatedKey {
  id: string;
  key: string;
  name: string;
  role: string;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        name: { type: "string" },
        role: { type: "string" },
        policy: { type: "string" },
        // The pre-role flag: --scope sessions is --role agent.
        scope: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const { scope, help: _, ...rest } = values;
  const parsed = argsSchema.safeParse({
    ...rest,
    ...(typeof scope === "string" && !rest.role
      ? { role: scope === "sessions" ? "agent" : scope }
      : {}),
  });
  if (!parsed.success) {
    process.stderr.write(
      `${parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n")}\n\n${usage}`,
    );
    process.exitCode = 2;
    return;
  }
  let created: CreatedKey;
  try {
    created = await createInDatabase(parsed.data);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    created = await createThroughHost(parsed.data, error);
  }
  process.stderr.write(
    `Created ${created.role} key ${created.id} (${created.name}). It is shown only once:\n`,
  );
  process.stdout.write(`${created.key}\n`);
}

async function createInDatabase(request: KeyRequest): Promise<CreatedKey> {
  const db = await getDb();
  try {
    return await createKey(db, {
      name: request.name,
      role: request.role,
      policyId: request.policy,
    });
  } finally {
    await closeDb();
  }
}

/** The PGlite folder is held by the dev host: ask it (its admin API) to create the key. */
async function createThroughHost(
  request: KeyRequest,
  locked: DataDirLockedError,
): Promise<CreatedKey> {
  const config = getConfig();
  const adminKey =
    config.PAYGENT_ADMIN_KEY ??
    (await readFile(config.DEV_API_KEY_FILE, "utf8").then(
      (text) => text.trim() || undefined,
      () => undefined,
    ));
  const host = config.HOST === "0.0.0.0" ? "127.0.0.1" : config.HOST;
  const url = `http://${host}:${config.PORT}/api/keys`;
  const refuse = (why: string): never => {
    throw new Error(
      `${locked.shortMessage} (the dev host?), and the key could not be created through it: ${why}.\n` +
        "Stop the host and run this again, or create the key with POST /api/keys.",
    );
  };
  if (!adminKey) refuse(`no admin key (set PAYGENT_ADMIN_KEY or keep ${config.DEV_API_KEY_FILE})`);
  process.stderr.write(`${locked.shortMessage}; creating the key through ${url}\n`);
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: request.name,
      role: request.role,
      ...(request.policy ? { policyId: request.policy } : {}),
    }),
  }).catch((error: unknown) => refuse(`${url} did not answer (${(error as Error).message})`));
  const body = (await response.json().catch(() => ({}))) as Partial<CreatedKey> & {
    error?: { message?: string };
  };
  if (response.status !== 201 || !body.key || !body.id) {
    refuse(`${url} answered ${response.status} ${body.error?.message ?? ""}`.trim());
  }
  return body as CreatedKey;
}

await main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
