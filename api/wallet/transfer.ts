import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { guard } from "../../lib/http/guard.js";
import { parseJsonBody, route } from "../../lib/http/index.js";
import { decimalAmount, sessionId, tokenSymbol } from "../../lib/runs/schemas.js";
import { acceptedResponse, idempotencyKeyOf } from "../../lib/runs/start/accepted.js";
import { resolveBudget } from "../../lib/runs/start/planning.js";
import { startRun } from "../../lib/runs/start/startRun.js";

export const transferRequest = z
  .object({
    to: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address")
      .describe("Recipient address"),
    amount: decimalAmount,
    token: tokenSymbol,
    sessionId: sessionId.optional(),
  })
  .strict();

/**
 * POST /api/wallet/transfer {to, amount, token} — a direct transfer, run as a durable run through
 * the same policy as a command (budget, approval threshold, allowed actions). Answers 202.
 */
export const POST = route("/api/wallet/transfer", async (request) => {
  const principal = await guard(request, { rateLimit: "payment" });
  const body = await parseJsonBody(request, transferRequest);
  const idempotencyKey = idempotencyKeyOf(request);
  const { amount, token } = resolveBudget({ amount: body.amount, token: body.token });
  if (token === "USD")
    throw new ClientError("validation_failed", "token must be a token symbol such as USDC or CRO");
  const { run, created } = await startRun(await getDb(), {
    principal,
    kind: "transfer",
    command: `transfer ${body.amount} ${token} to ${body.to}`,
    sessionId: body.sessionId,
    options: { transfer: { token, amount: amount.toString(), to: body.to } },
    idempotencyKey,
  });
  return acceptedResponse(run, created);
});
