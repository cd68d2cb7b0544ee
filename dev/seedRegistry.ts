/**
 * `npm run registry:seed -- --network cronos-testnet|cronos`: loads the curated list of real x402
 * services for that network (lib/registry/curatedServices.ts) into the configured database
 * (DATABASE_URL, else the embedded PGlite data dir). Idempotent; prints what it loaded.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { closeCache, getCache } from "../lib/cache/index.js";
import { closeDb, getDb } from "../lib/db/index.js";
import { curatedNetworks } from "../lib/registry/curatedServices.js";
import { seedCuratedServices } from "../lib/registry/seedCuratedServices.js";

const usage = "usage: npm run registry:seed -- --network cronos-testnet|cronos";

/** Parses the arguments, seeds, and returns the exit code. */
export async function main(
  argv: string[],
  io: { out: (text: string) => void; err: (text: string) => void },
): Promise<number> {
  let network: (typeof curatedNetworks)[number];
  try {
    const { values } = parseArgs({
      args: argv,
      options: { network: { type: "string" } },
      strict: true,
    });
    network = z.enum(curatedNetworks).parse(values.network);
  } catch {
    io.err(`${usage}\n(the devnet's demo services are seeded by \`npm run dev\` itself)\n`);
    return 2;
  }
  const db = await getDb();
  try {
    const seeded = await seedCuratedServices(db, { network, cache: await getCache() });
    if (seeded.services.length === 0) {
      io.out(
        `No curated x402 services are known for ${network} (${seeded.caip2}); nothing was loaded. See "Registry data" in the README.\n`,
      );
    } else {
      io.out(
        `Loaded ${seeded.services.length} curated services for ${network} (${seeded.caip2}):\n`,
      );
      for (const service of seeded.services)
        io.out(`  ${service.id}  ${service.name}  ${service.endpoint}\n`);
    }
    return 0;
  } finally {
    await closeCache();
    await closeDb();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
