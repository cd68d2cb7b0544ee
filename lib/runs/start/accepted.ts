import type { Run } from "../../db/database.js";
import { ClientError } from "../../errors/index.js";
import { json } from "../../http/respond.js";
import { summarizeRun } from "../read/runView.js";

/** The Idempotency-Key header of a request that starts a run, validated (undefined when absent). */
export function idempotencyKeyOf(request: Request): string | undefined {
  const key = request.headers.get("idempotency-key") ?? undefined;
  if (key !== undefined && !/^[\w.:-]{1,128}$/.test(key)) {
    throw new ClientError(
      "bad_request",
      "Idempotency-Key must be 1–128 characters of letters, digits, . _ : -",
    );
  }
  return key;
}

/** 202 Accepted for a started (or replayed) run: its id, session, status, links and `extra` fields. */
export function acceptedResponse(
  run: Run,
  created: boolean,
  extra: Record<string, unknown> = {},
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
