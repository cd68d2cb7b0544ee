import { resolveAmount } from "../../amounts/index.js";
import { withKeyControls } from "../../auth/withKeyControls.js";
import { checkStartPolicy } from "../../runs/start/checkStartPolicy.js";
import { startRun } from "../../runs/start/startRun.js";
import { toX402Run } from "../../runs/start/toX402Run.js";
import { assertPublicUrl } from "../../security/assertPublicUrl.js";
import { enforceRateLimit } from "../../security/rateLimit.js";
import { defineTool } from "../defineTool.js";
import { payX402Spec } from "../toolSpecs.js";
import { startedRunAnswer } from "./startedRunAnswer.js";

/**
 * pay_x402: POST /api/payments/x402 as a tool (with `tool`, one call of a paid MCP tool). It starts
 * the same kind of run, so the payment is planned, gated by the key's policy and budgets, and paid
 * by the pay action module exactly like a REST payment.
 */
export const payX402Tool = defineTool(payX402Spec, async (args, { db, principal, request }) => {
  await enforceRateLimit(request, { bucket: "payment", perKey: true });
  const max = resolveAmount(args.maxAmount, { field: "maxAmount" });
  await assertPublicUrl(args.url);
  // The key's controls, read once: the policy check decides on them and the insert checks them.
  const caller = await withKeyControls(db, principal);
  const sessionLimits = await checkStartPolicy(db, { principal: caller });
  const { command, options } = toX402Run({
    url: args.url,
    maxAmount: max.baseUnits.toString(),
    token: max.token,
    tool: args.tool,
  });
  const { run, created } = await startRun(db, {
    principal: caller,
    kind: "x402",
    command,
    sessionId: args.sessionId,
    options,
    idempotencyKey: args.idempotencyKey,
    sessionLimits,
  });
  return {
    structured: startedRunAnswer(run, created),
    text: `Payment run ${run.id} ${created ? "accepted" : "already exists for this key"} (${run.status}); the content arrives in get_run's result.`,
  };
});
