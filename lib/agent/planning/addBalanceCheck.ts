import type { Draft } from "../../actions/types.js";

/**
 * Inserts a balance read before the first spend, so a short wallet stops the run before anything
 * moves, unless an earlier draft already reads every token about to be spent.
 */
export function addBalanceCheck(drafts: Draft[]): void {
  const firstSpend = drafts.findIndex((d) => d.spend !== undefined);
  if (firstSpend < 0) return;
  const spent = [...new Set(drafts.filter((d) => d.spend).map((d) => d.spend!.token))];
  const covered = drafts
    .slice(0, firstSpend)
    .some(
      (d) =>
        d.checksBalances === "all" ||
        (d.checksBalances !== undefined && spent.every((t) => d.checksBalances!.includes(t))),
    );
  if (covered) return;
  drafts.splice(firstSpend, 0, {
    action: { type: "balance", tokens: spent },
    checksBalances: spent,
    reason: "Checks the wallet holds enough before anything is spent",
  });
}
