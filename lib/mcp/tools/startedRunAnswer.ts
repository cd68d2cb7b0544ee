/** The structured part of run_command's and pay_x402's answer: the run, and whether it was a replay. */
export function startedRunAnswer(
  run: { id: string; session_id: string; status: string },
  created: boolean,
) {
  return {
    runId: run.id,
    sessionId: run.session_id,
    status: run.status,
    ...(created ? {} : { replayed: true }),
  };
}
