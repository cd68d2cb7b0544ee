import type { Address } from "viem";
import { getBalances } from "../../chain/getBalances.js";
import { formatAmount, shortAddress } from "../format.js";
import type { ActionModule } from "../types.js";
import { balanceFromModel } from "./model.js";
import { BalanceAction } from "./schema.js";

/** Reads token balances of the agent wallet (or of any address) in one multicall. */
export const balance: ActionModule<"balance"> = {
  type: "balance",
  schema: BalanceAction,
  fromModel: balanceFromModel,
  async plan(intent) {
    const action = {
      type: "balance" as const,
      tokens: intent.tokens,
      ...(intent.address ? { address: intent.address } : {}),
    };
    return {
      action,
      // Only the agent's own wallet covers the balance check before a spend.
      ...(intent.address ? {} : { checksBalances: intent.tokens.length ? intent.tokens : "all" }),
    };
  },
  async maxSpend() {
    return undefined;
  },
  async perform({ chain }, action) {
    const result = await getBalances(chain, {
      tokens: action.tokens.length ? action.tokens : chain.registry.tokens.map((t) => t.symbol),
      address: action.address as Address | undefined,
    });
    return { output: result, cost: [] };
  },
  describe(action, outcome) {
    const whose = action.address ? `${shortAddress(action.address)}'s` : "the wallet's";
    const read = (outcome?.output as { balances?: { symbol: string; amount: string }[] } | null)
      ?.balances;
    if (read) {
      const list = read.map((b) => formatAmount(b.amount, b.symbol)).join(", ");
      return `Read ${whose} balances: ${list || "none"}`;
    }
    const tokens = action.tokens.length ? action.tokens.join(", ") : "every token";
    return `Check ${whose} balance of ${tokens}`;
  },
};
