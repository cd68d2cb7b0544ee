import { afterAll, describe, expect, it } from "vitest";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * Late settlement end to end through a real host: the devnet facilitator in async mode answers
 * "pending", the pay step records an unknown payment (its reservation kept) and the run waits on
 * payment:<nonce>; the settlement lands later and either the signed webhook (checked on chain) or
 * the background reconciler books it and wakes the run, which completes with the paid content.
 */
const hosts: HostProcess[] = [];

afterAll(async () => {
  for (const host of hosts) {
    await host.stop().catch(() => {});
    await disposeHostData(host.dataDir);
  }
});

/** The session's USDC budget line (spent and reserved, base units). */
async function usdcLine(host: HostProcess, sessionId: string) {
  const { body } = await host.request("GET", `/api/agent/sessions/${sessionId}`);
  const view = body.session ?? body;
  return view.budgetStatus.tokens.find((line: { token: string }) => line.token === "usdc");
}

async function payLate(host: HostProcess) {
  const accepted = await execute(host, {
    command: "pay 0.10 USDC to the market data API",
    budget: { amount: "0.15", token: "USDC" },
  });
  const waiting = await waitForRun(host, accepted.runId, ["waiting_event", "completed", "failed"]);
  expect(waiting.status, JSON.stringify(waiting.error)).toBe("waiting_event");
  const pay = waiting.steps.find((s: { action: string }) => s.action === "pay");
  expect(pay.output).toMatchObject({ status: "unknown" });
  const unknown = await host.request("GET", `/api/payments?sessionId=${accepted.sessionId}`);
  expect(unknown.body.payments).toMatchObject([{ status: "unknown", amount: "100000" }]);
  // Unknown keeps the reservation: the session shows it reserved, not released, not spent.
  expect(await usdcLine(host, accepted.sessionId)).toMatchObject({
    spent: "0",
    reserved: "100000",
  });

  const done = await waitForRun(host, accepted.runId, ["completed", "failed"], 60_000);
  expect(done.status, JSON.stringify(done.error)).toBe("completed");
  const paid = done.steps.find((s: { action: string }) => s.action === "pay");
  expect(paid.output.transaction).toMatch(/^0x[0-9a-f]{64}$/);
  expect(JSON.parse(paid.output.response.body).pair).toBe("CRO/USDC");
  const settled = await host.request("GET", `/api/payments?sessionId=${accepted.sessionId}`);
  expect(settled.body.payments).toMatchObject([{ status: "settled", amount: "100000" }]);
  expect(await usdcLine(host, accepted.sessionId)).toMatchObject({
    spent: "100000",
    reserved: "0",
  });
  return accepted;
}

describe("behavior: late settlement through the host", () => {
  it("the signed payment webhook settles the pending payment and resumes the run", async () => {
    const host = await startHostProcess({
      database: "postgres",
      env: {
        DEVNET_FACILITATOR_MODE: "async",
        DEVNET_FACILITATOR_SETTLE_DELAY_MS: "1500",
        WEBHOOK_SECRET: "whsec_late_settlement",
        // Only the webhook may wake the run early here: the reconciler runs rarely.
        DEV_WATCH_INTERVAL_MS: "600000",
      },
    });
    hosts.push(host);
    await payLate(host);
  }, 240_000);

  it("without a webhook the background reconciler finds the settlement on chain and resumes the run", async () => {
    const host = await startHostProcess({
      database: "postgres",
      env: { DEVNET_FACILITATOR_MODE: "async", DEVNET_FACILITATOR_SETTLE_DELAY_MS: "1500" },
    });
    hosts.push(host);
    await payLate(host);
  }, 240_000);
});
