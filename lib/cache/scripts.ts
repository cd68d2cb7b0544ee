import type { ReserveResult } from "./types.js";

/**
 * Lua shared by the Redis (TCP) and Upstash (REST) adapters, so both give the same atomicity.
 *
 * Amounts are base-unit integers of any size (18-decimal tokens overflow Redis' 64-bit INCRBY and
 * Lua's 53-bit doubles), so reserve/release do exact decimal-string arithmetic inside the script.
 * Expiries are milliseconds (PX) so fractional `ttlSeconds` behave as in the memory adapter.
 */

/** Decimal helpers for non-negative integers held as digit strings (shared by policy windows). */
export const decimalLua = `
local function normalize(value)
  if value == false or value == nil then return "0" end
  if not string.match(value, "^%d+$") then
    return redis.error_reply("ERR value is not a non-negative integer")
  end
  local stripped = string.gsub(value, "^0+", "")
  if stripped == "" then return "0" end
  return stripped
end
local function compare(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end
local function add(a, b)
  local digits, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local sum = carry
    if i > 0 then sum = sum + string.byte(a, i) - 48; i = i - 1 end
    if j > 0 then sum = sum + string.byte(b, j) - 48; j = j - 1 end
    table.insert(digits, 1, sum % 10)
    carry = math.floor(sum / 10)
  end
  return normalize(table.concat(digits))
end
local function subtract(a, b)
  local digits, borrow, i, j = {}, 0, #a, #b
  while i > 0 do
    local difference = string.byte(a, i) - 48 - borrow
    if j > 0 then difference = difference - (string.byte(b, j) - 48); j = j - 1 end
    if difference < 0 then difference = difference + 10; borrow = 1 else borrow = 0 end
    table.insert(digits, 1, difference)
    i = i - 1
  end
  return normalize(table.concat(digits))
end
`;

/**
 * KEYS[1] counter; ARGV[1] amount, ARGV[2] limit, ARGV[3] ttl in ms ("0" = none).
 * Returns {1|0, total}. The expiry is armed only when the counter is created, like the memory adapter.
 */
export const reserveScript = `${decimalLua}
local current = redis.call("GET", KEYS[1])
local total = normalize(current)
if type(total) == "table" then return total end
local amount, limit = normalize(ARGV[1]), normalize(ARGV[2])
local next = add(total, amount)
if compare(next, limit) > 0 then return {0, total} end
if current == false and tonumber(ARGV[3]) > 0 then
  redis.call("SET", KEYS[1], next, "PX", ARGV[3])
else
  redis.call("SET", KEYS[1], next, "KEEPTTL")
end
return {1, next}
`;

/** KEYS[1] counter; ARGV[1] amount. Subtracts without going below zero; returns the remaining total. */
export const releaseScript = `${decimalLua}
local total = normalize(redis.call("GET", KEYS[1]))
if type(total) == "table" then return total end
local amount = normalize(ARGV[1])
local next = "0"
if compare(total, amount) > 0 then next = subtract(total, amount) end
redis.call("SET", KEYS[1], next, "KEEPTTL")
return next
`;

/** KEYS[1] counter; ARGV[1] step, ARGV[2] ttl in ms ("0" = none). Arms the expiry only on creation. */
export const incrementScript = `
local created = redis.call("EXISTS", KEYS[1]) == 0
local value = redis.call("INCRBY", KEYS[1], ARGV[1])
if created and tonumber(ARGV[2]) > 0 then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return value
`;

/** Converts an optional `ttlSeconds` into the milliseconds the scripts and PX expect ("0" = none). */
export function ttlMilliseconds(ttlSeconds: number | undefined): number {
  if (ttlSeconds === undefined) return 0;
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
  }
  return Math.max(1, Math.round(ttlSeconds * 1000));
}

/** Checks that an amount or limit is a non-negative integer, the only kind the scripts accept. */
export function assertNonNegative(name: string, value: bigint): string {
  if (value < 0n) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value.toString();
}

/** Reads the script's {1|0, total} reply (RESP integers may arrive as numbers or strings). */
export function parseReserveReply(reply: unknown): ReserveResult {
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new TypeError(`Unexpected reserve reply: ${JSON.stringify(reply)}`);
  }
  return { reserved: Number(reply[0]) === 1, total: BigInt(String(reply[1])) };
}
