/**
 * Resolves a devnet prediction market as its oracle and prints the result:
 * `npm run markets:resolve -- --market cro-above-0.10-dec31 --outcome yes`
 * (or `--payouts 1,1` to split). Devnet only; reads PAYGENT_NETWORK, RPC_URL and DEVNET_PORT.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { getChainContext } from "../lib/chain/clients.js";
import { BaseError } from "../lib/errors/index.js";
import { resolveMarket } from "../lib/markets/resolveMarket.js";

const argsSchema = z
  .object({
    market: z.string().trim().min(1),
    outcome: z.string().trim().min(1).optional(),
    payouts: z
      .string()
      .regex(/^\d+(,\d+)+$/, "comma-separated non-negative integers, one per outcome")
      .optional(),
  })
  .refine((args) => (args.outcome === undefined) !== (args.payouts === undefined), {
    message: "give exactly one of --outcome or --payouts",
  });

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      market: { type: "string" },
      outcome: { type: "string" },
      payouts: { type: "string" },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(
      `usage: npm run markets:resolve -- --market <name> (--outcome <label> | --payouts 1,0)\n${parsed.error.issues
        .map((issue) => `  ${issue.path.join(".") || "args"}: ${issue.message}`)
        .join("\n")}\n`,
    );
    process.exitCode = 2;
    return;
  }
  try {
    const result = await resolveMarket(getChainContext(), {
      market: parsed.data.market,
      outcome: parsed.data.outcome,
      payouts: parsed.data.payouts?.split(","),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

await main();
