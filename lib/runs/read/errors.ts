import { ClientError } from "../../errors/index.js";

/** 404 for a run the caller cannot see (or that does not exist). */
export function runNotFound(runId: string): ClientError {
  return new ClientError("not_found", `Run ${runId} not found`);
}

/** 404 for a session the caller cannot see (or that does not exist). */
export function sessionNotFound(sessionId: string): ClientError {
  return new ClientError("not_found", `Session ${sessionId} not found`);
}
