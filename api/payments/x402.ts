import { z } from "zod";
import { getDb } from "../../lib/db/index.js";
import { guard } from "../../lib/http/guard.js";
import { parseJsonBody, route } from "../../lib/http/index.js";
import { acceptedResponse, idempotencyKeyOf } from "../../lib/runs/start/accepted.js";
import { startRun } from "../../lib/runs/start/startRun.js";
import { assertPublicUrl } from "../../lib/security/assertPublicUrl.js";

export const payRequest = z.object({
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe("The x402-protected resource to buy (http or https)"),
  maxAmount: z
    .string()
    .regex(/^[1-9]\d{0,77}$/, "must be a positive integer in base units")
    .describe('Most the payment may cost, in base units of the token ("100000" = 0.10 USDC)'),
  token: z.string().trim().min(1).max(20).default("USDC").describe("Token to pay with"),
  sessionId: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe("Session to charge; a new one when omitted"),
});

/** POST /api/payments/x402 — pay one x402 resource as a durable run (202, like a command). */
export const POST = route("/api/payments/x402", async (request) => {
  const principal = await guard(request, { rateLimit: "payment" });
  const body = await parseJsonBody(request, payRequest);
  await assertPublicUrl(body.url);
  const idempotencyKey = idempotencyKeyOf(request);
  const { run, created } = await startRun(await getDb(), {
    principal,
    kind: "x402",
    command: `pay ${body.url} (max ${body.maxAmount} base units of ${body.token})`,
    sessionId: body.sessionId,
    options: { x402: { url: body.url, maxAmount: body.maxAmount, token: body.token } },
    idempotencyKey,
  });
  return acceptedResponse(run, created);
});
