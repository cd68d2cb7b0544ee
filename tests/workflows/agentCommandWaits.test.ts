import { beforeEach, describe, expect, test, vi } from "vitest";
import type { ActionResult, ActionStepParameters } from "../../lib/runs/execute/runActionStep.js";

/**
 * The agentCommand workflow's waits, driven directly with the DevKit's primitives and the steps
 * stubbed (a trace records what the workflow asks for, in order; the DevKit replays a run by that
 * order). A step that sends two slow transactions (an approval, then its swap) is waited on for
 * each, instead of failing while the second may still land; a run whose recorded step answers never
 * say `newWait` (runs started before the workflow passed `waitedOn`) asks for exactly what it did.
 */
const trace: string[] = [];
/** What the hook of a token does: fire at once, or never (its sleep then times out). */
let hookFires: (token: string) => boolean = () => true;
/** The swap step's answers; each gets the step's parameters. */
let swapAnswers: ((p: ActionStepParameters) => ActionResult)[] = [];

vi.mock("workflow", async (importOriginal) => ({
  ...(await importOriginal<typeof import("workflow")>()),
  getWorkflowMetadata: () => ({ workflowRunId: "wrun_test" }),
  createHook: ({ token }: { token: string }) => {
    trace.push(`hook ${token}`);
    return hookFires(token) ? Promise.resolve({ kind: "chain" }) : new Promise(() => {});
  },
  sleep: (duration: string) => {
    trace.push(`sleep ${duration}`);
    // A sleep raced against a hook that fires loses (a microtask later); one alone times out.
    return new Promise((resolve) => setTimeout(resolve, 0));
  },
}));
vi.mock("../../workflows/steps/parse.js", () => ({
  parse: async () => ({ status: "parsed" }),
}));
vi.mock("../../workflows/steps/plan.js", () => ({
  plan: async () => ({
    status: "ready",
    actions: [{ index: 0, type: "swap", requiresApproval: false }],
  }),
}));
vi.mock("../../workflows/steps/swap.js", () => ({
  swap: async (p: ActionStepParameters) => {
    const { runId: _, index: __, ...flags } = p;
    trace.push(`swap ${JSON.stringify(flags)}`);
    const answer = swapAnswers.shift();
    if (!answer) throw new Error("swap called once too often");
    return answer(p);
  },
}));

const { agentCommand } = await import("../../workflows/agentCommand.js");

/** As runActionStep answers: waiting on `token`, and `newWait` when told another token was waited on. */
const waitingOn =
  (token: string) =>
  (p: ActionStepParameters): ActionResult => ({
    status: "waiting",
    waitFor: { token },
    ...(p.waitedOn !== undefined && p.waitedOn !== token ? { newWait: true as const } : {}),
  });
/** A step recorded before `waitedOn` existed: never says `newWait`. */
const recordedWaitingOn = (token: string) => (): ActionResult => ({
  status: "waiting",
  waitFor: { token },
});
const completed = (): ActionResult => ({ status: "completed" });
/** A final attempt still pending fails its run (failRunAndStop throws FatalError). */
const failsIfFinal =
  (token: string) =>
  (p: ActionStepParameters): ActionResult => {
    if (p.finalAttempt && (p.waitedOn === undefined || p.waitedOn === token))
      throw new Error("event_timeout");
    return waitingOn(token)(p);
  };

beforeEach(() => {
  trace.length = 0;
  hookFires = () => true;
  swapAnswers = [];
});

describe("behavior: a step that sends two slow transactions", () => {
  test("waits on the approval's hook, then on the swap's, and completes", async () => {
    swapAnswers = [waitingOn("chain:0xapprove"), failsIfFinal("chain:0xswap"), completed];
    await expect(agentCommand({ runId: "run_1" })).resolves.toEqual({
      runId: "run_1",
      status: "completed",
    });
    expect(trace).toEqual([
      "swap {}",
      "hook chain:0xapprove",
      "sleep 30m",
      'swap {"resume":true,"finalAttempt":false,"waitedOn":"chain:0xapprove"}',
      "hook chain:0xswap",
      "sleep 30m",
      'swap {"resume":true,"finalAttempt":false,"waitedOn":"chain:0xswap"}',
    ]);
  });

  test("a swap sent by the attempt after the approval's wait timed out is waited on too", async () => {
    hookFires = (token) => token !== "chain:0xapprove";
    swapAnswers = [waitingOn("chain:0xapprove"), failsIfFinal("chain:0xswap"), completed];
    await expect(agentCommand({ runId: "run_2" })).resolves.toMatchObject({ status: "completed" });
    expect(trace).toEqual([
      "swap {}",
      "hook chain:0xapprove",
      "sleep 30m",
      'swap {"resume":true,"finalAttempt":true,"waitedOn":"chain:0xapprove"}',
      "hook chain:0xswap",
      "sleep 30m",
      'swap {"resume":true,"finalAttempt":false,"waitedOn":"chain:0xswap"}',
    ]);
  });

  test("woken but still pending on the same hash is a race: one final look", async () => {
    swapAnswers = [waitingOn("chain:0xswap"), waitingOn("chain:0xswap"), completed];
    await expect(agentCommand({ runId: "run_3" })).resolves.toMatchObject({ status: "completed" });
    expect(trace).toEqual([
      "swap {}",
      "hook chain:0xswap",
      "sleep 30m",
      'swap {"resume":true,"finalAttempt":false,"waitedOn":"chain:0xswap"}',
      'swap {"resume":true,"finalAttempt":true,"waitedOn":"chain:0xswap"}',
    ]);
  });

  test("a final look that finds the step moved on (its swap just sent) waits on that too", async () => {
    // Woken for the mined approval, the resumed step still saw it pending (a lagging node); the
    // final look saw it mined and sent the swap.
    swapAnswers = [
      waitingOn("chain:0xapprove"),
      recordedWaitingOn("chain:0xapprove"),
      waitingOn("chain:0xswap"),
      completed,
    ];
    await expect(agentCommand({ runId: "run_6" })).resolves.toMatchObject({ status: "completed" });
    expect(trace).toEqual([
      "swap {}",
      "hook chain:0xapprove",
      "sleep 30m",
      'swap {"resume":true,"finalAttempt":false,"waitedOn":"chain:0xapprove"}',
      'swap {"resume":true,"finalAttempt":true,"waitedOn":"chain:0xapprove"}',
      "hook chain:0xswap",
      "sleep 30m",
      'swap {"resume":true,"finalAttempt":false,"waitedOn":"chain:0xswap"}',
    ]);
  });

  test("is bounded: after four waits a step still moving on gets its final attempt", async () => {
    // The fifth transaction is still pending at the last resumed attempt, and at the final one.
    swapAnswers = [1, 2, 3, 4, 5, 5].map((n) => failsIfFinal(`chain:0x${n}`));
    await expect(agentCommand({ runId: "run_4" })).rejects.toThrow("event_timeout");
    expect(trace.filter((line) => line.startsWith("hook"))).toEqual([
      "hook chain:0x1",
      "hook chain:0x2",
      "hook chain:0x3",
      "hook chain:0x4",
    ]);
    expect(trace.at(-2)).toBe('swap {"resume":true,"finalAttempt":false}');
    expect(trace.at(-1)).toBe('swap {"resume":true,"finalAttempt":true}');
  });
});

describe("behavior: runs recorded before `waitedOn` replay the same requests", () => {
  test("a resumed step answering another wait without `newWait` gets the final attempt, as before", async () => {
    swapAnswers = [
      recordedWaitingOn("chain:0xapprove"),
      recordedWaitingOn("chain:0xswap"),
      completed,
    ];
    await expect(agentCommand({ runId: "run_5" })).resolves.toMatchObject({ status: "completed" });
    // The sequence the workflow asked for before: step, hook, sleep, step, final step.
    expect(trace.map((line) => line.split(" ")[0])).toEqual([
      "swap",
      "hook",
      "sleep",
      "swap",
      "swap",
    ]);
    // A step's input is not compared on replay (its name, a hook's token and a sleep's time are),
    // so the final look's `waitedOn` replays against an answer recorded without it.
    expect(trace.at(-1)).toBe(
      'swap {"resume":true,"finalAttempt":true,"waitedOn":"chain:0xapprove"}',
    );
  });
});
