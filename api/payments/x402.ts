import { resolveAmount, viewAmount } from "../../lib/amounts/index.js";
import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { acceptedRun } from "../../lib/runs/responses.js";
import { payX402Request } from "../../lib/runs/schemas.js";
import { acceptedResponse } from "../../lib/runs/start/accepted.js";
import { checkStartPolicy } from "../../lib/runs/start/checkStartPolicy.js";
import { startRun } from "../../lib/runs/start/startRun.js";
import { toX402Run } from "../../lib/runs/start/toX402Run.js";
import { assertPublicUrl } from "../../lib/security/assertPublicUrl.js";

/**
 * POST /api/payments/x402 {url, maxAmount: {amount, token}} — pay one x402 resource as a durable
 * run (202, like a command); maxAmount is in whole tokens like every amount a request carries.
 */
export const POST = endpoint(
  {
    route: "/api/payments/x402",
    method: "POST",
    operationId: "payX402Resource",
    summary: "Pay one x402 resource as a durable run",
    tags: ["payments"],
    auth: ["admin", "agent"],
    rateLimit: "payment",
    keyControls: "cached",
    body: { name: "PayX402Request", schema: payX402Request },
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
    const max = resolveAmount(body.maxAmount, { field: "maxAmount" });
    await assertPublicUrl(body.url);
    const db = await getDb();
    const sessionLimits = await checkStartPolicy(db, { principal });
    const { command, options } = toX402Run({
      url: body.url,
      maxAmount: max.baseUnits.toString(),
      token: max.token,
      tool: body.tool,
    });
    const { run, created } = await startRun(db, {
      principal,
      kind: "x402",
      command,
      sessionId: body.sessionId,
      options,
      idempotencyKey,
      sessionLimits,
    });
    return acceptedResponse(run, created, {
      maxAmount: viewAmount(max.baseUnits, max.token),
      url: body.url,
    });
  },
);
