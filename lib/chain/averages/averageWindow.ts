/**
 * Where an average may start: at least `averageMinutes` before now, so a push has to last that
 * long to move it, and at most three times that (an hour at least), so it follows real moves of the
 * market instead of refusing a day's ordinary drift as a push.
 */
export function averageWindow(averageMinutes: number): { minSeconds: number; maxSeconds: number } {
  const minSeconds = Math.round(averageMinutes * 60);
  return { minSeconds, maxSeconds: Math.max(3 * minSeconds, 3600) };
}

/** Observations are kept past the longest window SWAP_AVERAGE_MINUTES allows (240 → 12 hours). */
export const OBSERVATION_KEEP_SECONDS = 13 * 3600;
