export interface AverageWindow {
  /** The average starts at least this long before now: a push has to last that long to move it. */
  minSeconds: number;
  /**
   * A stored observation serves only up to this long before now (minSeconds and a little), so a
   * real move is accepted about minSeconds after it, not after the oldest observation ages out.
   */
  storedSeconds: number;
  /** No start older than this (three times minSeconds, an hour at least): a day's drift is no push. */
  maxSeconds: number;
}

/** Where an average may start, for SWAP_AVERAGE_MINUTES. */
export function averageWindow(averageMinutes: number): AverageWindow {
  const minSeconds = Math.round(averageMinutes * 60);
  return {
    minSeconds,
    storedSeconds: minSeconds + Math.max(120, Math.round(minSeconds / 5)),
    maxSeconds: Math.max(3 * minSeconds, 3600),
  };
}

/** Observations are kept past the longest window SWAP_AVERAGE_MINUTES allows (240 → 12 hours). */
export const OBSERVATION_KEEP_SECONDS = 13 * 3600;
