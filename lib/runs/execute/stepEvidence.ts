import type { Kysely } from "kysely";
import type { Address, Hex } from "viem";
import { getChainContext } from "../../chain/clients.js";
import type { Database } from "../../db/database.js";
import { readAuthorizationState } from "../../x402/readAuthorizationState.js";

/**
 * What a step's money may have done, from the records it keeps before anything leaves the wallet
 * (chain_transactions rows before broadcast, payments rows before signing):
 * - landed: money moved (a confirmed transaction, a settled or used authorization);
 * - pending: it may still move (a transaction not yet mined, an authorization still valid);
 * - nothing: nothing was sent, or what was sent can no longer execute (a payment cancelled on
 *   chain or expired unused).
 * Unclear is not failed: only "nothing" lets a reservation go back to the budget.
 */
export type StepEvidence =
  | { state: "nothing" }
  | { state: "pending"; detail: string }
  | { state: "landed"; detail: string; amount?: bigint };

/** Seconds past an authorization's validBefore before the chain is asked whether it was used. */
const authorizationGraceSeconds = 30n;

/**
 * Reads the step's transactions and payments (and, for an expired authorization, the chain).
 *
 * `ignoreUnsent`: an authorization written but never signed counts as nothing. For the policy
 * gate only (the step's perform would sign it now, so it must pass the gate); never for a release,
 * since another delivery of the step may be signing it at this moment.
 */
export async function stepEvidence(
  db: Kysely<Database>,
  stepId: string,
  options: { ignoreUnsent?: boolean } = {},
): Promise<StepEvidence> {
  const transactions = await db
    .selectFrom("chain_transactions")
    .select(["hash", "status"])
    .where("step_id", "=", stepId)
    .execute();
  const confirmed = transactions.find((t) => t.status === "confirmed");
  if (confirmed) return { state: "landed", detail: `transaction ${confirmed.hash} confirmed` };
  const submitted = transactions.find((t) => t.status === "submitted");
  if (submitted)
    return { state: "pending", detail: `transaction ${submitted.hash} is not mined yet` };

  const payments = await db
    .selectFrom("payments")
    .select([
      "nonce",
      "status",
      "sent_at",
      "amount",
      "asset",
      "payer",
      "valid_before",
      "search_from_block",
    ])
    .where("step_id", "=", stepId)
    .execute();
  const settled = payments.find((p) => p.status === "settled");
  if (settled)
    return {
      state: "landed",
      detail: `payment ${settled.nonce} settled`,
      amount: BigInt(settled.amount),
    };
  const now = BigInt(Math.floor(Date.now() / 1000));
  for (const payment of payments) {
    // The payment's own status, once resolved, is the chain's answer (lib/x402, issue 14): failed
    // means never sent; cancelled (EIP-3009 cancelAuthorization) or expired can never execute.
    if (payment.status === "cancelled" || payment.status === "expired") continue;
    if (payment.status === "failed" && payment.sent_at === null) continue;
    if (options.ignoreUnsent && payment.sent_at === null) continue;
    const validBefore = BigInt(payment.valid_before ?? 0);
    if (validBefore + authorizationGraceSeconds > now) {
      return {
        state: "pending",
        detail: `authorization ${payment.nonce} may still be settled until ${new Date(Number(validBefore) * 1000).toISOString()}`,
      };
    }
    // Expired by the host's clock; the chain's clock decides. The block first, then the state as
    // of that block: a node that lags, or a host clock ahead of the chain, must not let a
    // settlement mined just before validBefore pass for "nothing".
    const { publicClient } = getChainContext();
    const latest = await publicClient.getBlock({ blockTag: "latest" });
    const state = await readAuthorizationState(publicClient, {
      asset: payment.asset as Address,
      payer: (payment.payer ?? getChainContext().account.address) as Address,
      nonce: payment.nonce as Hex,
      fromBlock: payment.search_from_block == null ? undefined : BigInt(payment.search_from_block),
      blockNumber: latest.number ?? undefined,
    });
    if (state.state === "used")
      return {
        state: "landed",
        detail: `authorization ${payment.nonce} was used on chain`,
        amount: BigInt(payment.amount),
      };
    if (state.state === "spent")
      return {
        state: "pending",
        detail: `authorization ${payment.nonce} is spent on chain; whether it paid or was cancelled is not visible yet`,
      };
    if (state.state === "unused" && latest.timestamp < validBefore)
      return {
        state: "pending",
        detail: `authorization ${payment.nonce} may still be settled: the chain has not reached its validBefore`,
      };
  }
  return { state: "nothing" };
}
