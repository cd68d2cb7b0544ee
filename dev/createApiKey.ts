/**
 * Creates an API key and prints it once: `npm run keys:create -- --name ops --role admin`.
 * Uses the configured database (DATABASE_URL, else the embedded PGlite data dir).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { createKey } from "../lib/auth/createKey.js";
import { closeDb, getDb } from "../lib/db/index.js";

const argsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(["admin", "agent", "approver"]).default("agent"),
  policy: z.string().trim().min(1).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: "string" },
      role: { type: "string" },
      policy: { type: "string" },
      // The pre-role flag: --scope sessions is --role agent.
      scope: { type: "string" },
    },
    strict: true,
  });
  const { scope, ...rest } = values;
  const parsed = argsSchema.safeParse({
    ...rest,
    ...(scope && !rest.role ? { role: scope === "sessions" ? "agent" : scope } : {}),
  });
  if (!parsed.success) {
    process.stderr.write(
      `usage: npm run keys:create -- --name <name> [--role admin|agent|approver] [--policy pol_…]\n${parsed.error.issues
        .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
        .join("\n")}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const db = await getDb();
  try {
    const created = await createKey(db, {
      name: parsed.data.name,
      role: parsed.data.role,
      policyId: parsed.data.policy,
    });
    process.stderr.write(
      `Created ${created.role} key ${created.id} (${created.name}). It is shown only once:\n`,
    );
    process.stdout.write(`${created.key}\n`);
  } finally {
    await closeDb();
  }
}

await main();
