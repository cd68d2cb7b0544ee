import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CommandParseError } from "../../../lib/agent/errors.js";
import { parseCommand } from "../../../lib/agent/grammar/parseCommand.js";
import { loadMemory, rememberRun } from "../../../lib/agent/memory.js";
import type { Plan } from "../../../lib/agent/plan.js";
import type { Run } from "../../../lib/db/database.js";
import { understandRun } from "../../../lib/runs/execute/understandRun.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { tokens } from "./fixtures.js";

let testDb: TestDb;

beforeAll(async () => {
  testDb = await createTestDb("pg");
  await testDb.db
    .insertInto("agent_sessions")
    .values([{ id: "s1" }, { id: "s2" }])
    .execute();
});

afterAll(async () => {
  await testDb?.dispose();
});

const swapThenPay = parseCommand("swap 10 CRO for USDC then pay 0.1 USDC to the market data API", {
  tokens,
});
const swapPlan: Plan = {
  actions: [
    { index: 0, action: { type: "balance", tokens: ["CRO"] }, requiresApproval: false },
    {
      index: 1,
      action: {
        type: "swap",
        tokenIn: "CRO",
        tokenOut: "USDC",
        amountIn: "10000000000000000000",
        minAmountOut: "995000",
        quotedAmountOut: "1000000",
        slippageBps: 50,
        deadlineSeconds: 1200,
      },
      requiresApproval: false,
    },
    {
      index: 2,
      action: {
        type: "pay",
        url: "https://md.example/quote",
        serviceId: "svc_md",
        token: "USDC",
        maxAmount: "100000",
        amountFromStep: 1,
      },
      requiresApproval: false,
    },
  ],
  explanation: [],
};

describe("session memory", () => {
  test("behavior: an empty session remembers nothing and references fail clearly", async () => {
    const memory = await loadMemory(testDb.db, "s2");
    expect(memory).toEqual({});
    for (const text of ["do that again", "swap it back", "pay the same service"]) {
      const error = (() => {
        try {
          parseCommand(text, { tokens, memory });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(CommandParseError);
      expect((error as CommandParseError).reason).toBe("memory");
    }
  });

  test("behavior: rememberRun then loadMemory round-trips command, service and swap", async () => {
    await rememberRun(testDb.db, {
      sessionId: "s1",
      runId: "run_1",
      command: swapThenPay,
      plan: swapPlan,
    });
    const memory = await loadMemory(testDb.db, "s1");
    expect(memory.lastCommand).toEqual(swapThenPay);
    expect(memory.lastService).toEqual({
      name: "market data API",
      url: "https://md.example/quote",
      serviceId: "svc_md",
    });
    expect(memory.lastSwap).toEqual({
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn: "10000000000000000000",
      amountOut: "1000000",
    });
    const rows = await testDb.db
      .selectFrom("agent_memory")
      .select(["kind", "run_id"])
      .where("session_id", "=", "s1")
      .execute();
    expect(rows.map((r) => r.kind).sort()).toEqual(["intent", "service", "swap"]);
  });

  test("behavior: references resolve against the newest run, with actual swap output when known", async () => {
    await rememberRun(testDb.db, {
      sessionId: "s1",
      runId: "run_2",
      command: parseCommand("swap 5 CRO for USDC", { tokens }),
      plan: {
        ...swapPlan,
        actions: [
          {
            ...swapPlan.actions[1]!,
            index: 0,
            action: {
              ...swapPlan.actions[1]!.action,
              amountIn: "5000000000000000000",
            } as Plan["actions"][number]["action"],
          },
        ],
      },
      swapOutputs: { 0: "498765" },
    });
    const memory = await loadMemory(testDb.db, "s1");
    expect(parseCommand("swap it back", { tokens, memory }).steps).toEqual([
      { kind: "swap", tokenIn: "USDC", tokenOut: "CRO", amountIn: "498765" },
    ]);
    expect(parseCommand("do that again", { tokens, memory }).steps).toEqual([
      { kind: "swap", tokenIn: "CRO", tokenOut: "USDC", amountIn: "5000000000000000000" },
    ]);
    // The newest run paid nobody, so "the same service" is still the market data API from run_1.
    expect(parseCommand("pay the same service again", { tokens, memory }).steps).toEqual([
      { kind: "pay", url: "https://md.example/quote", probe: true },
    ]);
    expect(parseCommand("pay the same service 0.2 USDC", { tokens, memory }).steps).toEqual([
      { kind: "pay", url: "https://md.example/quote", amount: "200000", token: "USDC" },
    ]);
  });

  test("behavior: sessions do not see each other's memory", async () => {
    expect(await loadMemory(testDb.db, "s2")).toEqual({});
  });

  test("behavior: a run reads its session's memory only when its command refers to an earlier one", async () => {
    const statements: string[] = [];
    const counted = testDb.db.withPlugin({
      transformQuery: (args) => {
        statements.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const run = (command: string) =>
      ({ id: "run_u", kind: "command", command, session_id: "s1", options: null }) as Run;

    const plain = await understandRun(counted, run("what's my balance"));
    expect(plain.command.steps[0]?.kind).toBe("balance");
    expect(statements).toEqual([]);

    // The same answer as parsing with the memory read up front.
    const again = await understandRun(counted, run("do that again"));
    expect(again.command).toEqual(
      parseCommand("do that again", { tokens, memory: await loadMemory(testDb.db, "s1") }),
    );
    expect(statements).toEqual(["SelectQueryNode"]);
  });
});
