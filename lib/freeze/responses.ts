import { z } from "zod";
import { timestamp } from "../http/timestamp.js";

/** POST /api/wallet/freeze, /unfreeze and the key routes: the freeze state after the call. */
export const freezeStateResponse = z.object({
  target: z.string().describe('"wallet" or the key id'),
  frozen: z.boolean(),
  changed: z.boolean().describe("False when the state already was as asked"),
  frozenAt: timestamp.nullable(),
});
