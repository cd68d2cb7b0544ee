/** Result of an atomic check-and-reserve. `total` is the reserved amount after the call. */
export interface ReserveResult {
  reserved: boolean;
  total: bigint;
}

/**
 * The small cache interface every adapter implements (Upstash REST, TCP Redis, memory).
 * Values are plain strings; callers serialise. Amounts for reserve/release are base-unit integers.
 */
export interface Cache {
  readonly kind: "upstash" | "redis" | "memory";
  get(key: string): Promise<string | null>;
  /** Sets a value; with `onlyIfAbsent` it returns false when the key already existed. */
  set(
    key: string,
    value: string,
    options?: { ttlSeconds?: number; onlyIfAbsent?: boolean },
  ): Promise<boolean>;
  delete(...keys: string[]): Promise<void>;
  /** Increments an integer counter and (re)arms its expiry when it is created. Returns the new value. */
  increment(key: string, options?: { by?: number; ttlSeconds?: number }): Promise<number>;
  /**
   * Atomically adds `amount` to the counter at `key` only if the result stays ≤ `limit`.
   * This is the primitive budgets use so concurrent spenders can never overshoot.
   */
  reserve(
    key: string,
    amount: bigint,
    limit: bigint,
    options?: { ttlSeconds?: number },
  ): Promise<ReserveResult>;
  /** Atomically subtracts `amount` (never below zero). Returns the remaining total. */
  release(key: string, amount: bigint): Promise<bigint>;
  /**
   * Runs a Lua script atomically (EVALSHA, EVAL on a miss) for primitives the methods above do not
   * cover, such as the policy engine's rolling windows. The memory cache has no Lua: callers pick
   * their Postgres path when `kind` is "memory", and this throws there.
   */
  runScript(source: string, keys: string[], args: string[]): Promise<unknown>;
  /** Throws when the backing store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
