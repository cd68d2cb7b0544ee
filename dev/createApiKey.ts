/**
 * Creates an API key and prints it once: `npm run keys:create -- --name ops --scope admin`.
 * Uses the configured database (DATABASE_URL, else the embedded PGlite data dir).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { createApiKey } from "../lib/auth/apiKeys.js";
import { closeDb, getDb } from "../lib/db/index.js";

const argsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  scope: z.enum(["admin", "sessions"]).default("sessions"),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: "string" }, scope: { type: "string" } },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(
      `usage: npm run keys:create -- --name <name> [--scope admin|sessions]\n${parsed.error.issues
        .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
        .join("\n")}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const db = await getDb();
  try {
    const created = await createApiKey(db, parsed.data);
    process.stderr.write(
      `Created ${created.scope} key ${created.id} (${created.name}). It is shown only once:\n`,
    );
    process.stdout.write(`${created.key}\n`);
  } finally {
    await closeDb();
  }
}

await main();
