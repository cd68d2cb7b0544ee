import { randomUUID } from "node:crypto";
import type { Action } from "../../lib/actions/schemas.js";
import { createKey } from "../../lib/auth/createKey.js";
import { resetChainContext } from "../../lib/chain/clients.js";
import { resetConfig } from "../../lib/config.js";
import type { Run } from "../../lib/db/database.js";
import { createPolicy } from "../../lib/policy/createPolicy.js";
import type { TestDb } from "./db.js";

/**
 * Points the process-wide chain context (getChainContext, which action steps use) at a test anvil,
 * with a short inline receipt wait so a transaction mined late turns into a hook wait.
 */
export function useChain(rpcUrl: string, inlineWaitMs: number): void {
  process.env.RPC_URL = rpcUrl;
  process.env.PAYGENT_NETWORK = "devnet";
  process.env.CHAIN_INLINE_WAIT_MS = String(inlineWaitMs);
  resetConfig();
  resetChainContext();
}

/**
 * A running run with one planned action that needs no approval, its step pending, as plan leaves
 * it; its agent key's policy allows chain actions up to a high approval threshold.
 */
export async function runWithAction(testDb: TestDb, action: Action): Promise<Run> {
  const policy = await createPolicy(testDb.db, {
    document: {
      allowedActions: ["transfer", "swap", "bet", "sellShares", "redeem"],
      approvalThresholdUsd: "1000000",
    },
  });
  const key = await createKey(testDb.db, { name: "agent", role: "agent", policyId: policy.id });
  const sessionId = `ses_${randomUUID().slice(0, 12)}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: key.id })
    .execute();
  const runId = `run_${randomUUID().slice(0, 12)}`;
  const run = await testDb.db
    .insertInto("runs")
    .values({
      id: runId,
      session_id: sessionId,
      command: "test",
      status: "running",
      api_key_id: key.id,
      plan: JSON.stringify({
        actions: [{ index: 0, action, requiresApproval: false }],
        explanation: [],
      }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await testDb.db
    .insertInto("run_steps")
    .values({
      id: `${runId}:step:0`,
      run_id: runId,
      step_index: 0,
      action: action.type,
      status: "pending",
      input: JSON.stringify(action),
    })
    .execute();
  return run;
}
