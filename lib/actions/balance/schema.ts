import { z } from "zod";
import { evmAddress, tokenSymbol } from "../fields.js";

/** Read balances (planned before the first spend, so a short wallet stops the run early). */
export const BalanceAction = z
  .object({
    type: z.literal("balance"),
    tokens: z.array(tokenSymbol).describe("Symbols to read; empty means every known token"),
    address: evmAddress.optional().describe("Whose balance; the agent wallet when absent"),
  })
  .describe("Read token balances");
export type BalanceAction = z.infer<typeof BalanceAction>;
