/**
 * The run-path floor for `npm run bench runs`: a workflow of `steps` steps that do nothing, run
 * through the same host and world as Paygent's commands. Only the dev host's bench routes start it
 * (dev/benchRoutes.ts, off unless DEV_BENCH_ROUTES is set); no api/ function does.
 */
export async function benchNoop(input: { steps: number }) {
  "use workflow";
  for (let index = 0; index < input.steps; index++) await noopStep(index);
  return { steps: input.steps };
}

/** Step: nothing but the step boundary itself (a checkpoint and a queue delivery). */
async function noopStep(index: number): Promise<number> {
  "use step";
  return index;
}
