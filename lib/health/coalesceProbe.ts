/** Options of coalesceProbe. */
export interface CoalesceProbeOptions<T> {
  /**
   * How long a finished probe's answer is reused, in milliseconds; read on every call so a changed
   * configuration applies at once. 0: only calls made while a probe is under way share it.
   */
  reuseMs: () => number;
  /** Whether an answer may be reused after its probe ended (default: every answer). */
  reusable?: (value: T) => boolean;
  /** The clock (milliseconds); Date.now by default. */
  now?: () => number;
}

/**
 * `probe` shared by its callers: a call made while a probe is under way waits for that one, and
 * a call within `reuseMs` of a probe's end gets its answer. However often it is called, the probe
 * runs at most once at a time and once per `reuseMs`. A probe that throws is not reused: every
 * call waiting on it gets the error, and the next call probes again.
 */
export function coalesceProbe<T>(
  probe: () => Promise<T>,
  options: CoalesceProbeOptions<T>,
): () => Promise<T> {
  // Read through a closure, not Date.now itself: fake clocks replace Date after this module loads.
  const now = options.now ?? (() => Date.now());
  let underWay: Promise<T> | undefined;
  let last: { value: T; endedAt: number } | undefined;

  return (): Promise<T> => {
    if (underWay) return underWay;
    if (last && now() - last.endedAt < options.reuseMs()) return Promise.resolve(last.value);
    // The probe starts on a later microtask, so `underWay` is set before it can end (or throw).
    const started = Promise.resolve()
      .then(probe)
      .then((value) => {
        last = options.reusable && !options.reusable(value) ? undefined : { value, endedAt: now() };
        return value;
      })
      .finally(() => {
        underWay = undefined;
      });
    underWay = started;
    return started;
  };
}
