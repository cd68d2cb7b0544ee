/**
 * A value shared by every copy of this module in the process. The workflow bundles (step.js,
 * flow.js) carry their own copies of lib/, and the local host loads api/ handlers separately;
 * keying on globalThis makes them share one database (PGlite allows a single opener) and one cache.
 */
export function processSingleton<T>(key: string, create: () => T): T {
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(`paygent.${key}`);
  let value = store[symbol];
  if (value === undefined) {
    value = create();
    store[symbol] = value;
  }
  return value;
}

/** Forgets a process singleton (tests, shutdown). Returns the previous value. */
export function clearProcessSingleton<T>(key: string): T | undefined {
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(`paygent.${key}`);
  const value = store[symbol];
  store[symbol] = undefined;
  return value;
}
