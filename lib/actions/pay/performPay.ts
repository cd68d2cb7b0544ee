import type { Address } from "viem";
import { requireToken } from "../../chain/registry.js";
import { storableText } from "../../db/storableText.js";
import { ClientError } from "../../errors/index.js";
import { payMcpTool } from "../../mcp/client/payMcpTool.js";
import { getService } from "../../registry/getService.js";
import { recordOutcome } from "../../registry/recordOutcome.js";
import { wakeTokens } from "../../runs/wake/wakes.js";
import { assertPublicUrl } from "../../security/assertPublicUrl.js";
import { paymentCostDetail } from "../../x402/bookPaymentCost.js";
import { executePayment } from "../../x402/executePayment.js";
import { hasBookedPaymentCost } from "../../x402/hasBookedPaymentCost.js";
import type { ActionContext, ActionOutcome, PerformOptions } from "../types.js";
import { usdValue } from "../usdValue.js";
import { payLimit } from "./payLimit.js";
import { paysServiceEndpoint } from "./paysServiceEndpoint.js";
import { probedTerms } from "./probedTerms.js";
import type { PayAction } from "./schema.js";

/** Largest paid response body kept in a run's result. */
const maxBodyInResult = 32 * 1024;

/**
 * Pays for the resource through x402 with a nonce derived from the step id, so a retry re-signs
 * the same authorization and can never pay twice; records the service's outcome for reputation.
 *
 * Outcomes (issue 14): settled → the reservation is settled at the real price; unknown (the signed
 * authorization left without proof) → the reservation stays and the run waits on
 * `payment:<nonce>` (the payment webhook or the background checks wake it, and this step runs again
 * to collect the outcome); voided (cancelled on chain or expired unused) → PaymentVoidedError, a
 * recorded failure whose step evidence is "nothing", so the reservation goes back.
 */
export async function performPay(
  context: ActionContext,
  action: PayAction,
  options: PerformOptions,
): Promise<ActionOutcome> {
  const { db, run, chain } = context;
  // The URL comes from the user (or a model): never let it point the server at internal hosts.
  await assertPublicUrl(action.url);
  // The gate matched the payee by its service id too: that id must be the URL's (an edited URL,
  // or a model's step naming one service and another URL, keeps an id that is not).
  if (action.serviceId) {
    const service = await getService(db, action.serviceId);
    if (!paysServiceEndpoint(action.url, service.endpoint)) {
      throw new ClientError(
        "unprocessable",
        `${action.url} is not the endpoint of ${service.name}; nothing was paid`,
        { kind: "refused" },
      );
    }
  }
  const token = requireToken(chain.network, action.token);
  const allowedAssets = chain.registry.tokens
    .filter((t) => t.address !== "native" && t.eip712)
    .map((t) => ({ address: t.address as Address, symbol: t.symbol }));
  // A catalogue service is held to the terms its probe saw (payTo, asset, price). A paid MCP
  // tool has no HTTP price to probe: its cap and token bound it, checked before signing.
  const expected = action.tool
    ? undefined
    : await probedTerms(db, { serviceId: action.serviceId, stepId: options.stepId });
  let outcome: Awaited<ReturnType<typeof executePayment>>;
  try {
    const payment = {
      db,
      runId: run.id,
      stepId: options.stepId,
      sessionId: run.session_id,
      serviceId: action.serviceId ?? null,
      maxAmount: options.spend?.amount ?? (await payLimit(context, action)),
      token: token.symbol,
      allowedAssets,
      account: chain.account,
      publicClient: chain.publicClient,
      // Cancels a failed payee's authorization; late settlements book against this reservation.
      chain,
      reservation: { runId: run.id, stepIndex: options.index },
      expected,
      checkPayee: options.checkPayee,
    };
    // A paid MCP tool (issue 15) is paid with x402 over MCP through the same executePayment: one
    // nonce per step, the row written before signing, onSigned, recovery from the chain.
    outcome = action.tool
      ? await payMcpTool({ ...payment, serverUrl: action.url, tool: action.tool })
      : await executePayment({ ...payment, url: action.url });
  } catch (error) {
    if (action.serviceId)
      await recordOutcome(db, action.serviceId, { success: false }).catch(() => {});
    throw error;
  }
  if (outcome.status === "unknown") {
    // Not proven either way: keep the reservation (no `spent`) and wait for the chain's answer.
    // Reputation is recorded when the payment resolves (bookPaymentOutcome).
    return {
      output: {
        paymentId: outcome.paymentId,
        status: "unknown",
        reason: outcome.reason,
        validBefore: outcome.validBefore,
      },
      cost: [],
      waitFor: { token: wakeTokens.payment(outcome.nonce) },
    };
  }
  const success = (outcome.content?.status ?? 200) < 300;
  if (action.serviceId && outcome.movedMoney)
    await recordOutcome(db, action.serviceId, { success }).catch(() => {});
  const usd = await usdValue(chain, token.symbol, outcome.amount);
  const label = action.tool ? `${action.url}#${action.tool.name}` : action.url;
  // One item per payment, named by it: a late settlement booked first (bookPaymentCost, when the
  // run waited on it) already holds it in the run's cost, so the resumed step adds none.
  const paid = outcome.via !== "not-required";
  const booked =
    paid && (await hasBookedPaymentCost(db, { runId: run.id, paymentId: outcome.paymentId }));
  const content = outcome.content;
  return {
    output: {
      paymentId: outcome.paymentId,
      via: outcome.via,
      amount: outcome.amount,
      token: token.symbol,
      payTo: outcome.payTo,
      transaction: outcome.transaction,
      response: content
        ? {
            status: content.status,
            contentType: content.contentType,
            // A cut inside a surrogate pair leaves half of it, which the run's jsonb refuses.
            body:
              content.body.length > maxBodyInResult
                ? storableText(content.body.slice(0, maxBodyInResult))
                : content.body,
            truncated: content.truncated || content.body.length > maxBodyInResult,
          }
        : null,
    },
    txHashes: outcome.transaction ? [outcome.transaction] : [],
    cost: booked
      ? []
      : [
          {
            kind: "x402",
            unit: token.symbol,
            amount: outcome.amount,
            ...(usd ? { usd } : {}),
            detail: paid ? paymentCostDetail(label, outcome.paymentId) : label,
          },
        ],
    // The session budget scales the reservation's (held) dollars to the amount paid, not the
    // moment's price (heldUsdValue): a pool pushed during the payment must not shrink it.
    spent: { amount: BigInt(outcome.amount) },
  };
}
