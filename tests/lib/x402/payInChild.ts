/**
 * Runs one executePayment in a separate process (used by the durability test with
 * PAYGENT_FAULT=after-settle, which SIGKILLs this process between settlement and bookkeeping).
 * argv: databaseUrl runId stepId sessionId url maxAmount
 */
import { createChainContext } from "../../../lib/chain/clients.js";
import { findToken } from "../../../lib/chain/registry.js";
import { createDb } from "../../../lib/db/index.js";
import { executePayment } from "../../../lib/x402/executePayment.js";

const [databaseUrl, runId, stepId, sessionId, url, maxAmount] = process.argv.slice(2);
const handle = await createDb({ driver: "pg", url: databaseUrl! });
const chain = createChainContext({ network: "devnet", rpcUrl: process.env.RPC_URL! });
const usdc = findToken("devnet", "USDC")!;
const outcome = await executePayment({
  db: handle.db,
  runId: runId!,
  stepId: stepId!,
  sessionId: sessionId!,
  url: url!,
  maxAmount: maxAmount!,
  allowedAssets: [{ address: usdc.address as `0x${string}`, symbol: "USDC" }],
  account: chain.account as never,
  publicClient: chain.publicClient as never,
});
process.stdout.write(
  `${JSON.stringify(outcome.status === "settled" ? { via: outcome.via, transaction: outcome.transaction } : outcome)}\n`,
);
await handle.close();
