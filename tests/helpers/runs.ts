import type { Kysely } from "kysely";
import type { Database } from "../../lib/db/database.js";
import type { HostProcess } from "./host.js";

/** Polls GET /api/runs/{id} until the run reaches one of `statuses` (or times out). */
export async function waitForRun(
  host: HostProcess,
  runId: string,
  statuses: string[] = ["completed", "failed", "cancelled"],
  timeoutMs = 60_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const { status, body } = await host.request("GET", `/api/runs/${runId}`);
    if (status === 200) {
      last = body;
      if (statuses.includes(body.status)) return body;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `run ${runId} did not reach ${statuses.join("/")} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
  );
}

/** POST /api/agent/execute and return the body (asserting 202). */
export async function execute(
  host: HostProcess,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const response = await host.request("POST", "/api/agent/execute", body, headers);
  if (response.status !== 202)
    throw new Error(`execute answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as {
    runId: string;
    sessionId: string;
    status: string;
    links: Record<string, string>;
    replayed?: boolean;
  };
}

/** Reads an SSE stream until it ends (or `maxMs`), returning the parsed events. */
export async function readEvents(
  host: HostProcess,
  runId: string,
  options: { lastEventId?: string; maxMs?: number } = {},
): Promise<{ id: string; event: string; data: any }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.maxMs ?? 20_000);
  const response = await fetch(`${host.url}/api/runs/${runId}/events`, {
    headers: {
      authorization: `Bearer ${host.apiKey}`,
      ...(options.lastEventId ? { "last-event-id": options.lastEventId } : {}),
    },
    signal: controller.signal,
  });
  let text = "";
  try {
    text = await response.text();
  } catch {
    // aborted: keep what arrived
  } finally {
    clearTimeout(timer);
  }
  return text
    .split("\n\n")
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        const match = /^(\w+): ?(.*)$/.exec(line);
        if (match) fields[match[1]!] = match[2]!;
      }
      return fields;
    })
    .filter((f) => f.event)
    .map((f) => ({ id: f.id!, event: f.event!, data: JSON.parse(f.data ?? "{}") }));
}

/** The types of a run's events, in the order they were appended. */
export async function runEventTypes(db: Kysely<Database>, runId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("run_events")
    .select("type")
    .where("run_id", "=", runId)
    .orderBy("id")
    .execute();
  return rows.map((row) => row.type);
}
