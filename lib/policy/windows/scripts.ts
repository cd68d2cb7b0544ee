import { decimalLua } from "../../cache/scripts.js";

/**
 * Lua for rolling windows on Redis/Upstash. Each window of a subject is a sorted set (member =
 * reservation id, score = reserved-at ms) beside a hash (reservation id → charge, plus a
 * "__seeded" marker). The hash tag {subject} keeps a subject's keys in one slot, so one script can
 * check and reserve every window at once: all or nothing, exact under any concurrency.
 */

const chunked = `
local function each_chunk(list, size, fn)
  for i = 1, #list, size do
    local last = math.min(i + size - 1, #list)
    fn(unpack(list, i, last))
  end
end
`;

/**
 * KEYS: z1, h1, z2, h2, … ; ARGV: id, nowMs, then per window: periodMs, limit ("" none),
 * maxCount ("" none), charge. Returns {-1, i} when window i must be seeded from the ledger,
 * {0, i, count, total} when window i refuses, {2} when the id is already reserved (a retry after
 * a crash), else {1, count1, total1, …} with each window's usage after the reservation.
 */
export const reserveWindowsScript = `${decimalLua}${chunked}
local id, now = ARGV[1], tonumber(ARGV[2])
local n = #KEYS / 2
for i = 1, n do
  if redis.call("HEXISTS", KEYS[2 * i], "__seeded") == 0 then return {-1, i} end
end
if n > 0 and redis.call("HEXISTS", KEYS[2], id) == 1 then return {2} end
local usage = {}
for i = 1, n do
  local z, h, a = KEYS[2 * i - 1], KEYS[2 * i], 2 + (i - 1) * 4
  local period, limit, maxCount, charge = tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local expired = redis.call("ZRANGEBYSCORE", z, "-inf", now - period)
  if #expired > 0 then
    each_chunk(expired, 500, function(...) redis.call("HDEL", h, ...) end)
    redis.call("ZREMRANGEBYSCORE", z, "-inf", now - period)
  end
  local members = redis.call("ZRANGE", z, 0, -1)
  local total = "0"
  each_chunk(members, 500, function(...)
    for _, value in ipairs(redis.call("HMGET", h, ...)) do total = add(total, normalize(value)) end
  end)
  if maxCount ~= "" and #members + 1 > tonumber(maxCount) then return {0, i, #members, total} end
  local after = add(total, normalize(charge))
  if limit ~= "" and compare(after, normalize(limit)) > 0 then return {0, i, #members, total} end
  table.insert(usage, #members + 1)
  table.insert(usage, after)
end
for i = 1, n do
  local z, h, a = KEYS[2 * i - 1], KEYS[2 * i], 2 + (i - 1) * 4
  local ttl = tonumber(ARGV[a + 1]) + 60000
  redis.call("ZADD", z, now, id)
  redis.call("HSET", h, id, ARGV[a + 4])
  redis.call("PEXPIRE", z, ttl)
  redis.call("PEXPIRE", h, ttl)
end
local reply = {1}
for _, value in ipairs(usage) do table.insert(reply, value) end
return reply
`;

/**
 * KEYS: z, h ; ARGV: ttlMs, then triplets id, reservedAtMs, charge. Loads a window from the ledger
 * unless another caller already did (the marker), and marks it seeded. Returns 1 when it seeded.
 */
export const seedWindowScript = `
if redis.call("HEXISTS", KEYS[2], "__seeded") == 1 then return 0 end
for i = 2, #ARGV, 3 do
  redis.call("ZADD", KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call("HSET", KEYS[2], ARGV[i], ARGV[i + 2])
end
redis.call("HSET", KEYS[2], "__seeded", "1")
redis.call("PEXPIRE", KEYS[1], ARGV[1])
redis.call("PEXPIRE", KEYS[2], ARGV[1])
return 1
`;

/**
 * KEYS: z1, h1, … ; ARGV: id, then one charge per window ("" = release). Sets the settled charge
 * where the reservation is still counted, or removes it on release.
 */
export const finishWindowsScript = `
local id = ARGV[1]
for i = 1, #KEYS / 2 do
  local z, h, charge = KEYS[2 * i - 1], KEYS[2 * i], ARGV[i + 1]
  if charge == "" then
    redis.call("ZREM", z, id)
    redis.call("HDEL", h, id)
  elseif redis.call("HEXISTS", h, id) == 1 then
    redis.call("HSET", h, id, charge)
  end
end
return 1
`;

/** The sorted set and hash of one window of one subject. */
export function windowKeys(subject: string, period: string, unit: string): [string, string] {
  const base = `policy:window:{${subject}}:${period}:${unit}`;
  return [`${base}:z`, `${base}:h`];
}
