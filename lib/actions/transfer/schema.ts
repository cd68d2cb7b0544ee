import { z } from "zod";
import { baseUnits, recipientAddress, tokenSymbol, usdFigure, wholeBalance } from "../fields.js";

/** A plain ERC-20 or native CRO transfer from the agent wallet. */
export const TransferAction = z
  .object({
    type: z.literal("transfer"),
    token: tokenSymbol.describe("Token sent"),
    amount: baseUnits.describe("Amount sent, in base units"),
    to: recipientAddress.describe("Recipient address"),
    all: wholeBalance.optional(),
    usd: usdFigure.optional(),
  })
  .describe("Send tokens to an address");
export type TransferAction = z.infer<typeof TransferAction>;
