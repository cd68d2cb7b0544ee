import type { Kysely } from "kysely";
import type { Database, Payment } from "../db/database.js";
import type { CostItem, RunCost } from "../runs/cost.js";
import { addRunCost, isTerminal, lockRun } from "../runs/runState.js";

/** The end of an x402 cost item's detail that names its payment: the item's dedupe key. */
const paymentMark = (paymentId: string) => `(payment ${paymentId})`;

/**
 * The detail of a payment's x402 cost item: what was paid for, then the payment. Every path that
 * books a pay step's payment (performPay, bookPaymentCost) names it so, one item per payment.
 */
export function paymentCostDetail(label: string, paymentId: string): string {
  return `${label} ${paymentMark(paymentId)}`;
}

/** True when the items hold this payment's x402 cost already, whoever booked it. */
export function holdsPaymentCost(items: readonly CostItem[], paymentId: string): boolean {
  const mark = paymentMark(paymentId);
  return items.some((item) => item.kind === "x402" && item.detail?.endsWith(mark) === true);
}

/** Inputs of bookPaymentCost. */
export interface BookPaymentCostParameters {
  db: Kysely<Database>;
  payment: Pick<Payment, "id" | "run_id" | "step_id" | "resource_url" | "amount" | "status">;
  /** The paid token's symbol (the item's unit, as performPay writes it). */
  token: string;
  usd?: string | undefined;
}

/**
 * Adds a settled payment's x402 item to the cost of the run that paid, when nothing else books
 * it: the books (each run's cost too) match the chain, also for a payment that settled after its
 * run was cancelled or gave up while it was unknown. Exactly once, under the run's row lock like
 * bookCancelGas: not when the run's cost names the payment already, nor when the step that paid
 * completed (recordOutcome writes a step's completion and its cost in one statement).
 *
 * Who else books the payment decides when:
 * - a pay step (performPay, also for paid MCP tools): booked now, whatever the run's state (a
 *   run still waiting may be cancelled before its step comes back). performPay names the payment
 *   in its item too and leaves it out when the run's cost has it, so the step resuming after this
 *   booking counts nothing twice.
 * - a subscribe step, and a subscription renewal (step id `<run>:renewal:<n>`): their own paths
 *   (lib/actions/subscribe, renewSubscription) add an item of their own when their step collects
 *   the payment, without looking for this one. So it is booked only once their run has ended (no
 *   step of it runs again), and never beside a renewal's own item `renewal <n + 1>` (the renewals
 *   count after recordRenewal, as renewSubscription names it). A payment of any other shape is
 *   treated the same way: booked once its run has ended.
 *
 * Left open, both for a step in flight while this books: a pay step whose late read of the run's
 * cost (performPay, after the payment) came just before this commit, and whose recordOutcome
 * comes after, adds its item too; so does a subscribe or renewal step that was running when its
 * run ended. Closing that needs recordOutcome to drop items the run already names. Returns
 * whether this call added the item.
 */
export async function bookPaymentCost(parameters: BookPaymentCostParameters): Promise<boolean> {
  const { db, payment } = parameters;
  const runId = payment.run_id;
  const amount = String(payment.amount);
  if (payment.status !== "settled" || !runId || BigInt(amount) === 0n) return false;
  const payer = payerOf(payment.step_id, runId);
  const item: CostItem = {
    kind: "x402",
    unit: parameters.token,
    amount,
    ...(parameters.usd ? { usd: parameters.usd } : {}),
    detail: paymentCostDetail(payment.resource_url, payment.id),
  };
  return db.transaction().execute(async (trx) => {
    const run = await lockRun(trx, runId);
    if (!run) return false;
    const items = (run.cost as RunCost | null)?.items ?? [];
    if (holdsPaymentCost(items, payment.id)) return false;
    // Whether the payer's own path may still add an item that does not name the payment.
    let ownItemLater = true;
    if (payer.kind === "step") {
      const step = await trx
        .selectFrom("run_steps")
        .select(["action", "status"])
        .where("run_id", "=", runId)
        .where("step_index", "=", payer.index)
        .executeTakeFirst();
      if (step?.status === "completed") return false;
      ownItemLater = step?.action !== "pay";
    } else if (payer.kind === "renewal") {
      const own = `renewal ${payer.renewal + 1}`;
      if (items.some((existing) => existing.kind === "x402" && existing.detail === own))
        return false;
    }
    if (ownItemLater && !isTerminal(run.status)) return false;
    await addRunCost(trx, run, [item]);
    return true;
  });
}

/** Which path paid, from the payment's step id (`<run>:<index>` or `<run>:renewal:<n>`). */
function payerOf(
  stepId: string | null,
  runId: string,
): { kind: "step"; index: number } | { kind: "renewal"; renewal: number } | { kind: "other" } {
  const rest = stepId?.startsWith(`${runId}:`) ? stepId.slice(runId.length + 1) : undefined;
  if (rest !== undefined && /^\d+$/.test(rest)) return { kind: "step", index: Number(rest) };
  const renewal = rest === undefined ? undefined : /^renewal:(\d+)$/.exec(rest);
  if (renewal) return { kind: "renewal", renewal: Number(renewal[1]) };
  return { kind: "other" };
}
