import { getDb } from "../../lib/db/index.js";
import { ClientError } from "../../lib/errors/index.js";
import { endpoint } from "../../lib/http/index.js";
import { transferRequest } from "../../lib/runs/schemas.js";
import { acceptedResponse } from "../../lib/runs/start/accepted.js";
import { checkStartPolicy } from "../../lib/runs/start/checkStartPolicy.js";
import { resolveBudget } from "../../lib/runs/start/planning.js";
import { startRun } from "../../lib/runs/start/startRun.js";

/**
 * POST /api/wallet/transfer {to, amount, token} — a direct transfer, run as a durable run through
 * the same policy as a command (budget, approval threshold, allowed actions). Answers 202.
 */
export const POST = endpoint(
  {
    route: "/api/wallet/transfer",
    method: "POST",
    operationId: "transferToken",
    summary: "A direct transfer, run as a durable run under the same policy as a command",
    tags: ["wallet"],
    auth: ["admin", "agent"],
    rateLimit: "payment",
    body: { name: "TransferRequest", schema: transferRequest },
    responses: { 423: "The wallet or this key is frozen" },
    idempotency: true,
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
    },
  },
  async ({ principal, body, idempotencyKey }) => {
    const { amount, token } = resolveBudget({ amount: body.amount, token: body.token });
    if (token === "USD")
      throw new ClientError(
        "validation_failed",
        "token must be a token symbol such as USDC or CRO",
      );
    const db = await getDb();
    const sessionLimits = await checkStartPolicy(db, { principal });
    const { run, created } = await startRun(db, {
      principal,
      kind: "transfer",
      command: `transfer ${body.amount} ${token} to ${body.to}`,
      sessionId: body.sessionId,
      options: { transfer: { token, amount: amount.toString(), to: body.to } },
      idempotencyKey,
      sessionLimits,
    });
    return acceptedResponse(run, created);
  },
);
