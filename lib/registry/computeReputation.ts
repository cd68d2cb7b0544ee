/**
 * Reputation is a Bayesian average: the success rate of real calls, pulled towards a prior of
 * 60 % (3.00 of 5, the column default) worth PRIOR_CALLS calls, so one lucky or unlucky call
 * cannot swing a new service to 5 or 0, while a long record dominates.
 */
export const REPUTATION_PRIOR_SUCCESSES = 6;
export const REPUTATION_PRIOR_CALLS = 10;

/** Reputation 0.00–5.00 (two decimals, half-up) from counts of successes and total calls. */
export function computeReputation(successes: number, totalCalls: number): string {
  // Integer arithmetic so the result equals Postgres' round(numeric, 2) exactly.
  const numerator = 500n * BigInt(successes + REPUTATION_PRIOR_SUCCESSES);
  const denominator = BigInt(totalCalls + REPUTATION_PRIOR_CALLS);
  const hundredths = (2n * numerator + denominator) / (2n * denominator);
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, "0")}`;
}
