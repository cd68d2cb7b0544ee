import type { x402Facilitator } from "@x402/core/facilitator";
import type { PaymentPayload, PaymentRequirements, SettleResponse } from "@x402/core/types";
import { getConfig } from "../config.js";
import { log } from "../log.js";
import { webhookHeaders } from "../security/signWebhook.js";
import type { PaymentReport } from "./applyPaymentReport.js";
import { getDevnetFacilitator } from "./getDevnetFacilitator.js";

/** Options of settleDevnetPayment; every one defaults to configuration. */
export interface SettleDevnetPaymentOptions {
  /** "sync" settles before answering; "async" answers pending (DEVNET_FACILITATOR_MODE). */
  mode?: "sync" | "async";
  /** Async mode: delay before settling (DEVNET_FACILITATOR_SETTLE_DELAY_MS). */
  delayMs?: number;
  facilitator?: x402Facilitator;
  /**
   * Async mode: where the outcome is reported. Default: a signed POST to
   * PUBLIC_BASE_URL/api/webhooks/payment when WEBHOOK_SECRET is set, else nobody (the payer's
   * reconciler finds the settlement on chain by itself).
   */
  notify?: (report: PaymentReport) => Promise<void>;
}

const scheduled = new Set<Promise<void>>();

/**
 * The devnet facilitator's settle. In "async" mode it behaves like facilitators that settle in
 * batches: it verifies now, answers `{success: true, transaction: "", extra: {status: "pending"}}`
 * (x402 has no "not yet", see x402-foundation/x402#3208), settles after the delay and reports the
 * outcome to the payment webhook. A host that dies before the delay never settles: the payer sees
 * the authorization expire, which is exactly the case Paygent must survive.
 */
export async function settleDevnetPayment(
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: SettleDevnetPaymentOptions = {},
): Promise<SettleResponse> {
  const config = getConfig();
  const facilitator = options.facilitator ?? getDevnetFacilitator();
  const mode = options.mode ?? config.DEVNET_FACILITATOR_MODE;
  if (mode === "sync") return facilitator.settle(payload, requirements);

  const verified = await facilitator.verify(payload, requirements);
  if (!verified.isValid) {
    return {
      success: false,
      errorReason: verified.invalidReason ?? "invalid_payment",
      transaction: "",
      network: requirements.network,
      ...(verified.payer ? { payer: verified.payer } : {}),
    };
  }
  const nonce = String(
    (payload.payload as { authorization?: { nonce?: unknown } }).authorization?.nonce ?? "",
  );
  const delayMs = options.delayMs ?? config.DEVNET_FACILITATOR_SETTLE_DELAY_MS;
  const notify = options.notify ?? defaultNotifier();
  const job = (async () => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    let report: PaymentReport;
    try {
      const settled = await facilitator.settle(payload, requirements);
      report = settled.success
        ? { nonce, status: "settled", transaction: settled.transaction }
        : { nonce, status: "failed", reason: settled.errorReason ?? "settlement failed" };
    } catch (error) {
      report = {
        nonce,
        status: "failed",
        reason: error instanceof Error ? error.message : "error",
      };
    }
    log.info("devnet facilitator settled later", { nonce, status: report.status });
    await notify?.(report).catch((error: unknown) =>
      log.warn("devnet facilitator could not report", { nonce, error }),
    );
  })();
  scheduled.add(job);
  void job.finally(() => scheduled.delete(job));
  return {
    success: true,
    transaction: "",
    network: requirements.network,
    ...(verified.payer ? { payer: verified.payer } : {}),
    extra: { status: "pending" },
  };
}

/** Waits for every asynchronous settlement scheduled in this process (tests, graceful stop). */
export async function flushDevnetSettlements(): Promise<void> {
  while (scheduled.size > 0) await Promise.allSettled([...scheduled]);
}

function defaultNotifier(): ((report: PaymentReport) => Promise<void>) | undefined {
  const config = getConfig();
  const secret = config.WEBHOOK_SECRET;
  const base = config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT}`;
  if (!secret) return undefined;
  return async (report) => {
    const body = JSON.stringify(report);
    const response = await fetch(new URL("/api/webhooks/payment", base), {
      method: "POST",
      headers: webhookHeaders({ secret, body, eventId: `devnet-settle-${report.nonce}` }),
      body,
      signal: AbortSignal.timeout(30_000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`payment webhook answered ${response.status}`);
  };
}
