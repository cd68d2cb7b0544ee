import type { Run } from "../../db/database.js";
import { json } from "../../http/respond.js";
import { summarizeRun } from "../read/runView.js";
import type { AcceptedRun } from "../responses.js";

/** 202 Accepted for a started (or replayed) run: its id, session, status, links and `extra` fields. */
export function acceptedResponse(
  run: Run,
  created: boolean,
  extra: Partial<AcceptedRun> = {},
): Response {
  const view = summarizeRun(run);
  return json(
    {
      runId: run.id,
      sessionId: run.session_id,
      ...extra,
      status: run.status,
      links: view.links,
      ...(created ? {} : { replayed: true }),
    },
    { status: 202, headers: { location: view.links.self } },
  );
}
