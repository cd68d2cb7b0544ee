import { resolveAmount, viewAmount } from "../../lib/amounts/index.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { acceptedRun } from "../../lib/runs/responses.js";
import { transferRequest } from "../../lib/runs/schemas.js";
import { acceptedResponse } from "../../lib/runs/start/accepted.js";
import { checkStartPolicy } from "../../lib/runs/start/checkStartPolicy.js";
import { startRun } from "../../lib/runs/start/startRun.js";

/**
 * POST /api/wallet/transfer {to, amount, token} — a direct transfer of whole tokens ("5" USDC),
 * run as a durable run through the same policy as a command (budget, approval threshold, allowed
 * actions). Answers 202 with the amount in base units and formatted.
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
    keyControls: "cached",
    body: { name: "TransferRequest", schema: transferRequest },
    idempotency: true,
    responses: {
      404: "The named session does not exist or is not the caller's",
      423: "The wallet or this key is frozen",
    },
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
      schema: acceptedRun,
    },
  },
  async ({ principal, body, idempotencyKey }) => {
    const amount = resolveAmount({ amount: body.amount, token: body.token });
    const db = await getDb();
    const sessionLimits = await checkStartPolicy(db, { principal });
    const { run, created } = await startRun(db, {
      principal,
      kind: "transfer",
      command: `transfer ${body.amount} ${amount.token} to ${body.to}`,
      sessionId: body.sessionId,
      options: {
        transfer: { token: amount.token, amount: amount.baseUnits.toString(), to: body.to },
      },
      idempotencyKey,
      sessionLimits,
    });
    return acceptedResponse(run, created, {
      amount: viewAmount(amount.baseUnits, amount.token),
      to: body.to,
    });
  },
);
