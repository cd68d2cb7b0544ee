import { listRuns } from "../../runs/read/listRuns.js";
import { defineTool } from "../defineTool.js";
import { listRunsSpec } from "../toolSpecs.js";

/** list_runs: GET /api/runs as a tool. */
export const listRunsTool = defineTool(listRunsSpec, async (args, { db, principal }) => {
  const page = await listRuns(db, principal, {
    limit: args.limit,
    ...(args.sessionId ? { sessionId: args.sessionId } : {}),
    ...(args.status ? { status: args.status } : {}),
    ...(args.cursor ? { cursor: args.cursor } : {}),
  });
  return {
    structured: { ...page },
    text: `${page.runs.length} run${page.runs.length === 1 ? "" : "s"}${page.nextCursor ? " (more with nextCursor)" : ""}.`,
  };
});
