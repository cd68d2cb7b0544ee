import { getDb } from "../../lib/db/index.js";
import { endpoint } from "../../lib/http/index.js";
import { payX402Request } from "../../lib/runs/schemas.js";
import { acceptedResponse } from "../../lib/runs/start/accepted.js";
import { checkStartPolicy } from "../../lib/runs/start/checkStartPolicy.js";
import { startRun } from "../../lib/runs/start/startRun.js";
import { assertPublicUrl } from "../../lib/security/assertPublicUrl.js";

/** POST /api/payments/x402 — pay one x402 resource as a durable run (202, like a command). */
export const POST = endpoint(
  {
    route: "/api/payments/x402",
    method: "POST",
    operationId: "payX402Resource",
    summary: "Pay one x402 resource as a durable run",
    tags: ["payments"],
    auth: ["admin", "agent"],
    rateLimit: "payment",
    body: { name: "PayX402Request", schema: payX402Request },
    responses: { 423: "The wallet or this key is frozen" },
    idempotency: true,
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
    },
  },
  async ({ principal, body, idempotencyKey }) => {
    await assertPublicUrl(body.url);
    const db = await getDb();
    const sessionLimits = await checkStartPolicy(db, { principal });
    const { run, created } = await startRun(db, {
      principal,
      kind: "x402",
      command: `pay ${body.url} (max ${body.maxAmount} base units of ${body.token})`,
      sessionId: body.sessionId,
      options: { x402: { url: body.url, maxAmount: body.maxAmount, token: body.token } },
      idempotencyKey,
      sessionLimits,
    });
    return acceptedResponse(run, created);
  },
);
