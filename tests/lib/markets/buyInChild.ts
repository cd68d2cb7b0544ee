/**
 * Runs one buyOutcome in a separate process, so a test can SIGKILL it after the bet is broadcast
 * and before its outcome is recorded. argv: databaseUrl stepId market outcome amount; RPC_URL in env.
 */
import { createChainContext } from "../../../lib/chain/clients.js";
import { createDb } from "../../../lib/db/index.js";
import { buyOutcome } from "../../../lib/markets/buyOutcome.js";

const [databaseUrl, stepId, market, outcome, amount] = process.argv.slice(2);
const handle = await createDb({ driver: "pg", url: databaseUrl as string });
const chain = createChainContext({ network: "devnet", rpcUrl: process.env.RPC_URL as string });
const result = await buyOutcome(chain, handle.db, {
  stepId: stepId as string,
  market: market as string,
  outcome: outcome as string,
  amount: amount as string,
  slippageBps: 0,
  receiptTimeoutMs: 120_000,
});
process.stdout.write(`${JSON.stringify(result)}\n`);
await handle.close();
