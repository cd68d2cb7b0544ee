/**
 * Imports a facilitator's x402 Bazaar catalogue into the registry:
 * `npm run registry:import -- --facilitator <url>` (e.g. http://127.0.0.1:3000/api/facilitator on
 * the devnet). Entries are validated, sanitized and SSRF-checked; refused ones are listed with the
 * reason. Uses the configured database and network (DATABASE_URL, PAYGENT_NETWORK).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { getConfig } from "../lib/config.js";
import { closeDb, getDb } from "../lib/db/index.js";
import { BaseError } from "../lib/errors/index.js";
import { importBazaarResources } from "../lib/registry/bazaar/importBazaarResources.js";

const argsSchema = z.object({
  facilitator: z.url({ protocol: /^https?$/ }),
  max: z.coerce.number().int().min(1).max(10_000).default(1000),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { facilitator: { type: "string" }, max: { type: "string" } },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(
      `usage: npm run registry:import -- --facilitator <url> [--max <entries>]\n${parsed.error.issues
        .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
        .join("\n")}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const db = await getDb();
  try {
    const result = await importBazaarResources(db, {
      facilitatorUrl: parsed.data.facilitator,
      network: getConfig().PAYGENT_NETWORK,
      maxEntries: parsed.data.max,
    });
    for (const service of result.imported) {
      const tools = service.tools.length ? ` tools: ${service.tools.join(", ")}` : "";
      process.stdout.write(`imported ${service.id} ${service.name} (${service.type})${tools}\n`);
    }
    for (const entry of result.refused) {
      process.stdout.write(`refused  #${entry.index} ${entry.resource ?? "?"}: ${entry.reason}\n`);
    }
    process.stdout.write(`${result.imported.length} imported, ${result.refused.length} refused\n`);
  } catch (error) {
    process.stderr.write(
      `import failed: ${error instanceof BaseError ? error.shortMessage : String(error)}\n`,
    );
    process.exitCode = 1;
  } finally {
    await closeDb();
  }
}

void main();
