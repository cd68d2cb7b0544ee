import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assignApprover } from "../../../lib/auth/assignApprover.js";
import type { Principal } from "../../../lib/auth/authenticate.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { legacyScope, type Role } from "../../../lib/auth/roles.js";
import { getDeskSpend } from "../../../lib/desk/getDeskSpend.js";
import { listDeskApprovals } from "../../../lib/desk/listDeskApprovals.js";
import { deskApprovalsQuery, deskSpendQuery } from "../../../lib/desk/schemas.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

/**
 * The desk's read models on a real Postgres: who sees which approval and may decide it, the
 * sentence in human units, quorum and votes, an edit's change, and spend per day that adds up to
 * the payments rows.
 */
let testDb: TestDb;
const keys: Record<string, Principal> = {};
const usdc = "0x8ce361602B935680E8DeC218b820ff5056BeB7af";
const payee = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

async function key(name: string, role: Role): Promise<Principal> {
  const created = await createKey(testDb.db, { name, role });
  keys[name] = { keyId: created.id, role, scope: legacyScope(role) };
  return keys[name];
}

async function held(parameters: {
  token: string;
  agent: Principal;
  action: Record<string, unknown>;
  required?: number;
  status?: "pending" | "approved" | "edited";
  decision?: Record<string, unknown>;
}): Promise<void> {
  const suffix = parameters.token.slice(4);
  const sessionId = `ses_${suffix}`;
  const runId = `run_${suffix}`;
  await testDb.db
    .insertInto("agent_sessions")
    .values({ id: sessionId, api_key_id: parameters.agent.keyId })
    .execute();
  await testDb.db
    .insertInto("runs")
    .values({
      id: runId,
      session_id: sessionId,
      command: `command of ${parameters.token}`,
      status: "waiting_approval",
      api_key_id: parameters.agent.keyId,
    })
    .execute();
  await testDb.db
    .insertInto("approval_requests")
    .values({
      token: parameters.token,
      run_id: runId,
      session_id: sessionId,
      step_index: 0,
      action: JSON.stringify(parameters.action),
      amount_usd: "50.000000",
      reason: "50 USDC is above the 10 USD threshold",
      rule: "approvalThreshold",
      required_approvals: parameters.required ?? 1,
      // Only assigned approvers may decide (the default, "any", lets every approver).
      approvers: "assigned",
      status: parameters.status ?? "pending",
      decision: parameters.decision ? JSON.stringify(parameters.decision) : null,
      decided_at: parameters.status && parameters.status !== "pending" ? new Date() : null,
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute();
}

const transfer = { type: "transfer", token: "USDC", amount: "50000000", to: payee };
const token = (n: number) => `apr_${String(n).padStart(26, "0")}`;

beforeAll(async () => {
  testDb = await createTestDb("pg");
  await key("admin", "admin");
  await key("bot", "agent");
  await key("other-bot", "agent");
  await key("alice", "approver");
  await key("bob", "approver");
  await assignApprover(testDb.db, {
    approverKeyId: keys.alice!.keyId,
    agentKeyIds: [keys.bot!.keyId],
  });
  await held({ token: token(1), agent: keys.bot!, action: transfer, required: 2 });
  await held({ token: token(2), agent: keys["other-bot"]!, action: transfer });
  await held({
    token: token(3),
    agent: keys.bot!,
    action: transfer,
    status: "edited",
    decision: {
      decision: "edit",
      by: keys.alice!.keyId,
      action: { ...transfer, amount: "12345678" },
    },
  });
  await testDb.db
    .insertInto("approval_decisions")
    .values({ approval_token: token(1), approver_key_id: keys.alice!.keyId, decision: "approve" })
    .execute();
}, 120_000);

afterAll(async () => {
  await testDb?.dispose();
});

const query = (input: Record<string, unknown>) => deskApprovalsQuery.parse(input);

describe("listDeskApprovals", () => {
  test("behavior: a held transfer reads as a sentence in human units with its rule, quorum and votes", async () => {
    const { approvals } = await listDeskApprovals(
      testDb.db,
      keys.admin!,
      query({ token: token(1) }),
    );
    expect(approvals).toHaveLength(1);
    const [approval] = approvals;
    expect(approval!.sentence.map((p) => p.text).join("")).toBe(
      "Send 50 USDC to 0x90F7…b906 (new payee)",
    );
    expect(approval!.sentence.filter((p) => p.strong).map((p) => p.text)).toEqual(["50 USDC"]);
    expect(approval!).toMatchObject({
      amountUsd: "50",
      reason: "50 USDC is above the 10 USD threshold",
      rule: "approvalThreshold",
      required: 2,
      granted: 1,
      command: `command of ${token(1)}`,
      canDecide: true,
      editable: [{ field: "amount", token: "USDC", decimals: 6, value: "50000000" }],
    });
    expect(approval!.votes).toEqual([
      { keyId: keys.alice!.keyId, name: "alice", decision: "approve", at: expect.any(String) },
    ]);
  });

  test("behavior: an edit names exactly what changed, in base units, and who edited", async () => {
    const { approvals } = await listDeskApprovals(
      testDb.db,
      keys.admin!,
      query({ status: "decided" }),
    );
    const edited = approvals.find((a) => a.token === token(3))!;
    expect(edited.changes).toEqual([
      { field: "amount", token: "USDC", from: "50000000", to: "12345678" },
    ]);
    expect(edited.votes.map((v) => [v.name, v.decision])).toEqual([["alice", "edit"]]);
    expect(edited.canDecide).toBe(false);
  });

  test("behavior: approvers see their assigned agents' approvals, agents their own read-only", async () => {
    const pending = query({ status: "pending" });
    const tokensOf = async (name: string) =>
      (await listDeskApprovals(testDb.db, keys[name]!, pending)).approvals.map((a) => a.token);
    expect(await tokensOf("admin")).toEqual(expect.arrayContaining([token(1), token(2)]));
    expect(await tokensOf("alice")).toEqual([token(1)]);
    expect(await tokensOf("bob")).toEqual([]);
    expect(await tokensOf("other-bot")).toEqual([token(2)]);
    const own = await listDeskApprovals(testDb.db, keys.bot!, pending);
    expect(own.approvals.map((a) => [a.token, a.canDecide])).toEqual([[token(1), false]]);
  });

  test("args: a token that is not an approval token is refused by the query schema", () => {
    expect(deskApprovalsQuery.safeParse({ token: "apr_<b>" }).success).toBe(false);
    expect(deskApprovalsQuery.safeParse({ status: "everything" }).success).toBe(false);
  });
});

describe("payee history", () => {
  test("behavior: 'paid N times before' counts the same agent key's transfers, not another key's", async () => {
    const sentence = async () =>
      (
        await listDeskApprovals(testDb.db, keys.admin!, query({ token: token(1) }))
      ).approvals[0]!.sentence.map((p) => p.text).join("");
    const completedTransfer = (runOf: number) => ({
      id: `stp_history_${runOf}`,
      run_id: `run_${token(runOf).slice(4)}`,
      step_index: 0,
      action: "transfer",
      status: "completed" as const,
      input: JSON.stringify(transfer),
    });
    // other-bot paid this payee: still a new payee for bot's approval.
    await testDb.db.insertInto("run_steps").values(completedTransfer(2)).execute();
    expect(await sentence()).toBe("Send 50 USDC to 0x90F7…b906 (new payee)");
    // bot paid it in another run: counted.
    await testDb.db.insertInto("run_steps").values(completedTransfer(3)).execute();
    expect(await sentence()).toBe("Send 50 USDC to 0x90F7…b906 (paid 1 time before)");
    await testDb.db.deleteFrom("run_steps").where("id", "like", "stp_history_%").execute();
  });
});

describe("getDeskSpend", () => {
  test("behavior: payments per day add up to the settled payments rows of the window, per key", async () => {
    const now = new Date("2026-11-30T12:00:00.000Z");
    const day = (offset: number) => new Date(now.getTime() - offset * 86_400_000);
    const rows = [
      { id: "pay_a", amount: "100000", created_at: day(0), status: "settled" as const },
      { id: "pay_b", amount: "50000", created_at: day(0), status: "settled" as const },
      { id: "pay_c", amount: "250000", created_at: day(29), status: "settled" as const },
      { id: "pay_d", amount: "999", created_at: day(30), status: "settled" as const },
      { id: "pay_e", amount: "777", created_at: day(1), status: "failed" as const },
    ];
    for (const row of rows) {
      await testDb.db
        .insertInto("payments")
        .values({
          ...row,
          session_id: `ses_${token(1).slice(4)}`,
          resource_url: "http://127.0.0.1/api/demo/market-data",
          asset: usdc,
          network: "eip155:31337",
          pay_to: payee,
          nonce: `0x${row.id}`,
        })
        .execute();
    }
    const spend = await getDeskSpend(testDb.db, keys.admin!, deskSpendQuery.parse({}), { now });
    expect(spend.daily.days).toHaveLength(30);
    expect(spend.daily.days[29]).toBe("2026-11-30");
    const [series] = spend.daily.series;
    expect(series).toMatchObject({
      asset: usdc,
      token: { symbol: "USDC", decimals: 6 },
      total: "400000",
    });
    expect(series!.amounts[29]).toBe("150000");
    expect(series!.amounts[0]).toBe("250000");
    expect(spend.byService).toEqual([
      expect.objectContaining({ name: "127.0.0.1", amount: "400000", count: 3 }),
    ]);
    // Another agent's key sees none of it.
    const other = await getDeskSpend(testDb.db, keys["other-bot"]!, deskSpendQuery.parse({}), {
      now,
    });
    expect(other.daily.series).toEqual([]);
    // An approver sees the spend of the agent keys assigned to it, not of every key.
    const alice = await getDeskSpend(testDb.db, keys.alice!, deskSpendQuery.parse({}), { now });
    expect(alice.daily.series[0]?.total).toBe("400000");
    const bob = await getDeskSpend(testDb.db, keys.bob!, deskSpendQuery.parse({}), { now });
    expect(bob.daily.series).toEqual([]);
    expect(bob.keys).toEqual([]);
    expect(bob.sessions).toEqual([]);
  });
});
