import { withKeyControls } from "../../auth/withKeyControls.js";
import { listServiceNames } from "../../registry/listServiceNames.js";
import { checkStartPolicy } from "../../runs/start/checkStartPolicy.js";
import { checkCommand } from "../../runs/start/planning.js";
import { startRun } from "../../runs/start/startRun.js";
import { enforceRateLimit } from "../../security/rateLimit.js";
import { defineTool } from "../defineTool.js";
import { runCommandSpec } from "../toolSpecs.js";
import { startedRunAnswer } from "./startedRunAnswer.js";

/** run_command: POST /api/agent/execute as a tool, with the same checks before the run starts. */
export const runCommandTool = defineTool(
  runCommandSpec,
  async (args, { db, principal, request }) => {
    await enforceRateLimit(request, { bucket: "command", perKey: true });
    // What the grammar can already tell is wrong is refused before a run starts, as over REST.
    await checkCommand(args.command, () => listServiceNames(db));
    // Frozen wallet or key → refused; the session a new run opens starts with the policy's limits.
    // The key's controls, read once: the policy check decides on them and the insert checks them.
    const caller = await withKeyControls(db, principal);
    const sessionLimits = await checkStartPolicy(db, { principal: caller });
    const { run, created } = await startRun(db, {
      principal: caller,
      command: args.command,
      sessionId: args.sessionId,
      idempotencyKey: args.idempotencyKey,
      sessionLimits,
    });
    return {
      structured: startedRunAnswer(run, created),
      text: `Run ${run.id} ${created ? "accepted" : "already exists for this key"} (${run.status}); follow it with get_run.`,
    };
  },
);
