/**
 * Lua for the room directory over Redis. Each operation is one script, so a seat is taken,
 * counted and the room rescored or unlisted atomically, whichever node asks. Keys (prefix `tw:`):
 *
 * - `room:<id>` hash: `l` (the listing's fixed part, JSON), `m` (metadata JSON), `max`, `locked`,
 *   `pool`, `type`, `node`. Read with HMGET of named fields, never HGETALL.
 * - `seats:<id>` sorted set: seat → expiry (Redis ms) while reserved, `+inf` once claimed.
 * - `open:<pool>` sorted set: the pool's open rooms → seats taken (fullest = highest score).
 * - `pool:<pool>` sorted set: every room of the pool → creation time (listing with `includeLocked`).
 * - `pools:<type>` set: the pools a type has rooms in (listing without a pool).
 * - `expiring` sorted set: room → when its earliest reserved seat lapses (never later; earlier
 *   after that seat was claimed), so lapsed seats are purged and full rooms reopened by a sweep:
 *   each node's timer, or a reserve that finds no open room — never per seat taken.
 * - `rooms:<node>` set: the rooms a node owns (unlisted when it leaves or is reaped).
 * - `create:<pool>` hash: the pool's creation lock (`t` = its token; it expires with the lock),
 *   and per room attempt of the lock `r` (registered) or `a` (aborted), set once by whichever
 *   comes first (HSETNX) — the compare-and-set that refuses a late registration.
 * - `load` sorted set: node → load (clients + rooms), for power-of-two-choices placement.
 *
 * ARGV[1] is always the prefix; key names are built in Lua (docs/architecture.md says what Redis
 * Cluster needs instead).
 */

const PRELUDE = `
local P = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local expired = 0
local function purge(id)
  local seats = P .. 'seats:' .. id
  expired = expired + redis.call('ZREMRANGEBYSCORE', seats, '-inf', now)
  return redis.call('ZCARD', seats)
end
local function due(id)
  local at = redis.call('ZSCORE', P .. 'expiring', id)
  return at and tonumber(at) <= now
end
local function reopen(id, pool, max, locked, count)
  if locked == '1' or count >= tonumber(max) then
    redis.call('ZREM', P .. 'open:' .. pool, id)
  else
    redis.call('ZADD', P .. 'open:' .. pool, count, id)
  end
end
local function reindex(id, pool, max, locked, count)
  reopen(id, pool, max, locked, count)
  local first = redis.call('ZRANGE', P .. 'seats:' .. id, 0, 0, 'WITHSCORES')
  if first[2] and first[2] ~= 'inf' then
    redis.call('ZADD', P .. 'expiring', first[2], id)
  else
    redis.call('ZREM', P .. 'expiring', id)
  end
end
local function sweep(limit)
  local ids = redis.call('ZRANGEBYSCORE', P .. 'expiring', '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do
    local r = redis.call('HMGET', P .. 'room:' .. id, 'pool', 'max', 'locked')
    if r[1] then reindex(id, r[1], r[2], r[3], purge(id)) else redis.call('ZREM', P .. 'expiring', id) end
  end
  return #ids
end
local function drop(id)
  local r = redis.call('HMGET', P .. 'room:' .. id, 'pool', 'type', 'node')
  if not r[1] then return end
  redis.call('DEL', P .. 'room:' .. id, P .. 'seats:' .. id)
  redis.call('ZREM', P .. 'open:' .. r[1], id)
  redis.call('ZREM', P .. 'pool:' .. r[1], id)
  redis.call('ZREM', P .. 'expiring', id)
  redis.call('SREM', P .. 'rooms:' .. r[3], id)
  if redis.call('EXISTS', P .. 'pool:' .. r[1]) == 0 then redis.call('SREM', P .. 'pools:' .. r[2], r[1]) end
end
`;

/**
 * Rooms whose earliest reserved seat is due that one sweep looks at: a pool with no open room
 * sweeps before it answers "none" (a full room whose seats lapsed reopens), and each node sweeps
 * on a timer; seats taken in an open room never wait for a sweep.
 */
export const SWEEP_PER_CALL = 64;

/** Most seats one RESERVE call takes: concurrent callers on a node share a call, up to this many. */
export const MAX_SEATS_PER_CALL = 128;

/**
 * Take seats, one after the other, each in the fullest open room of a pool whose owner holds a
 * live lease (concurrent reserves of one node share one call). ARGV: prefix, pool, ttlMs, avoid,
 * seat… Returns {taken, expired, then per seat taken: l, m, count, max, locked, expiresAt}; the
 * seats after `taken` found no room with space. `expired`: reserved seats this call found lapsed.
 * `avoid` ('' none): an address whose rooms are passed over (left open, untouched) — the rare
 * path of a client that could not reach a node; its calls carry one seat and are never batched.
 *
 * Per room it touches: ZREVRANGE, HMGET, EXISTS (owner's lease), ZSCORE (a seat due?), ZCARD;
 * per seat one ZADD; per room once more ZADD (expiry index, LT) and ZADD or ZREM (its score).
 * All O(log n) in the pool's open rooms: no scan, and no sweep while an open room has space.
 */
export const RESERVE = `${PRELUDE}
local pool, ttl, avoid = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local open = P .. 'open:' .. pool
local out, taken = {0, 0}, 0
local room, r, count, fresh
local swept = false
-- Open rooms passed over (listed at \`avoid\`): the next candidate is the one ranked after them.
local skipped = 0
for i = 5, #ARGV do
  local seat = ARGV[i]
  local placed = false
  for attempt = 1, 8 do
    if not room then
      room = redis.call('ZREVRANGE', open, skipped, skipped)[1]
      if not room then
        -- No open room: seats lapsed in full rooms may free some; look once more after a sweep.
        if swept then break end
        swept = true
        if sweep(${SWEEP_PER_CALL}) == 0 then break end
        room = redis.call('ZREVRANGE', open, skipped, skipped)[1]
        if not room then break end
      end
      r = redis.call('HMGET', P .. 'room:' .. room, 'l', 'm', 'max', 'locked', 'node')
      if not r[1] or redis.call('EXISTS', P .. 'node:' .. r[5]) == 0 then
        -- Gone, or its owner's lease lapsed: the reaper unlists it; no seat goes to a dead node.
        redis.call('ZREM', open, room)
        room = nil
      elseif avoid ~= '' and cjson.decode(r[1]).address == avoid then
        -- This caller could not reach it; for everyone else it stays as it is.
        skipped = skipped + 1
        room = nil
      else
        if due(room) then
          count = purge(room)
          reindex(room, pool, r[3], r[4], count)
        else
          count = redis.call('ZCARD', P .. 'seats:' .. room)
        end
        fresh = true
        if r[4] == '1' or count >= tonumber(r[3]) then
          reopen(room, pool, r[3], r[4], count)
          room = nil
        end
      end
    end
    if room then
      redis.call('ZADD', P .. 'seats:' .. room, now + ttl, seat)
      if fresh then
        -- Later seats of this call expire later: the room's earliest expiry can only move down.
        redis.call('ZADD', P .. 'expiring', 'LT', now + ttl, room)
        fresh = false
      end
      count = count + 1
      taken = taken + 1
      local n = #out
      out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5], out[n + 6] = r[1], r[2], count, r[3], r[4], now + ttl
      placed = true
      if count >= tonumber(r[3]) then
        reopen(room, pool, r[3], r[4], count)
        room = nil
      end
      break
    end
  end
  if not placed then break end
end
if room then reopen(room, pool, r[3], r[4], count) end
out[1], out[2] = taken, expired
return out
`;

/**
 * Purge lapsed seats of the rooms whose earliest seat is due (at most {@link SWEEP_PER_CALL}):
 * rescored, and reopened if they were full. ARGV: prefix. Returns {rooms looked at, seats expired}.
 */
export const SWEEP_SEATS = `${PRELUDE}
local rooms = sweep(${SWEEP_PER_CALL})
return {rooms, expired}
`;

/**
 * Take a seat in one room. ARGV: prefix, roomId, seat, ttlMs.
 * Returns {'missing'|'locked'|'full', expired} or {'ok', expired, l, m, count, max, locked, expiresAt}.
 */
export const RESERVE_IN = `${PRELUDE}
local id, seat, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4])
local r = redis.call('HMGET', P .. 'room:' .. id, 'l', 'm', 'max', 'locked', 'node', 'pool')
if not r[1] or redis.call('EXISTS', P .. 'node:' .. r[5]) == 0 then return {'missing', 0} end
local count
if due(id) then
  count = purge(id)
  reindex(id, r[6], r[3], r[4], count)
else
  count = redis.call('ZCARD', P .. 'seats:' .. id)
end
if r[4] == '1' then return {'locked', expired} end
if count >= tonumber(r[3]) then
  reopen(id, r[6], r[3], r[4], count)
  return {'full', expired}
end
redis.call('ZADD', P .. 'seats:' .. id, now + ttl, seat)
redis.call('ZADD', P .. 'expiring', 'LT', now + ttl, id)
reopen(id, r[6], r[3], r[4], count + 1)
return {'ok', expired, r[1], r[2], count + 1, r[3], r[4], now + ttl}
`;

/**
 * List a room with its seats taken, fenced by the owner's epoch and, with a creation token, by
 * the attempt's compare-and-set. ARGV: prefix, node, epoch, roomId, l, m, max, pool, type,
 * createdAt, ttlMs, creation pool ('' none), token, attempt, seat… Returns {'fenced'|'aborted'|'exists'}
 * or {'ok', count, expiresAt}.
 */
export const REGISTER_ROOM = `${PRELUDE}
local node, epoch, id, l, m, max, pool, rtype, created, ttl, cpool, token, attempt =
  ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], tonumber(ARGV[11]), ARGV[12], ARGV[13], ARGV[14]
if redis.call('HGET', P .. 'node:' .. node, 'epoch') ~= epoch then return {'fenced'} end
local key = P .. 'room:' .. id
if redis.call('EXISTS', key) == 1 then return {'exists'} end
if cpool ~= '' then
  local lock = P .. 'create:' .. cpool
  if redis.call('HGET', lock, 't') ~= token then return {'aborted'} end
  if redis.call('HSETNX', lock, attempt, 'r') == 0 then return {'aborted'} end
end
redis.call('HSET', key, 'l', l, 'm', m, 'max', max, 'locked', '0', 'pool', pool, 'type', rtype, 'node', node)
redis.call('SADD', P .. 'rooms:' .. node, id)
redis.call('SADD', P .. 'pools:' .. rtype, pool)
redis.call('ZADD', P .. 'pool:' .. pool, created, id)
redis.call('ZINCRBY', P .. 'load', 1, node)
local count = #ARGV - 14
for i = 15, #ARGV do redis.call('ZADD', P .. 'seats:' .. id, now + ttl, ARGV[i]) end
reindex(id, pool, max, '0', count)
return {'ok', count, now + ttl}
`;

/**
 * The owner admits a seat. ARGV: prefix, roomId, seat. Returns {'claimed'|'used'|'unknown', expired}.
 * A claim does not change the count, so the room's indexes stay as they are (the expiry index
 * may now name a seat that no longer expires: the next sweep of the room puts it right).
 */
export const CLAIM_SEAT = `${PRELUDE}
local id, seat = ARGV[2], ARGV[3]
local score = redis.call('ZSCORE', P .. 'seats:' .. id, seat)
if not score then return {'unknown', 0} end
if score == 'inf' then return {'used', 0} end
if tonumber(score) <= now then
  local r = redis.call('HMGET', P .. 'room:' .. id, 'pool', 'max', 'locked')
  if r[1] then reindex(id, r[1], r[2], r[3], purge(id)) end
  return {'unknown', expired}
end
redis.call('ZADD', P .. 'seats:' .. id, 'XX', '+inf', seat)
return {'claimed', 0}
`;

/** Free a seat. ARGV: prefix, roomId, seat. */
export const RELEASE_SEAT = `${PRELUDE}
local id, seat = ARGV[2], ARGV[3]
if redis.call('ZREM', P .. 'seats:' .. id, seat) == 0 then return 1 end
local r = redis.call('HMGET', P .. 'room:' .. id, 'pool', 'max', 'locked')
if r[1] then reopen(id, r[1], r[2], r[3], redis.call('ZCARD', P .. 'seats:' .. id)) end
return 1
`;

/**
 * Change a room's lock, metadata or capacity, fenced by the owner's epoch.
 * ARGV: prefix, node, epoch, roomId, locked ('' keep), m ('' keep), max ('' keep). Returns 0 when fenced.
 */
export const UPDATE_ROOM = `${PRELUDE}
local node, epoch, id, locked, m, max = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
if redis.call('HGET', P .. 'node:' .. node, 'epoch') ~= epoch then return 0 end
local key = P .. 'room:' .. id
if redis.call('EXISTS', key) == 0 then return 1 end
if locked ~= '' then redis.call('HSET', key, 'locked', locked) end
if m ~= '' then redis.call('HSET', key, 'm', m) end
if max ~= '' then redis.call('HSET', key, 'max', max) end
local r = redis.call('HMGET', key, 'pool', 'max', 'locked')
reopen(id, r[1], r[2], r[3], redis.call('ZCARD', P .. 'seats:' .. id))
return 1
`;

/**
 * Remove a room (only if it has no seat, with onlyIfEmpty '1'). ARGV: prefix, roomId, onlyIfEmpty.
 * Returns {1 removed (or absent) | 0 kept, expired}.
 */
export const UNREGISTER_ROOM = `${PRELUDE}
local id, onlyIfEmpty = ARGV[2], ARGV[3]
if redis.call('EXISTS', P .. 'room:' .. id) == 0 then return {1, 0} end
if onlyIfEmpty == '1' then
  local count = purge(id)
  if count > 0 then
    local r = redis.call('HMGET', P .. 'room:' .. id, 'pool', 'max', 'locked')
    reindex(id, r[1], r[2], r[3], count)
    return {0, expired}
  end
end
drop(id)
return {1, expired}
`;

/**
 * Unlist one chunk of a node's rooms: the reaper's (claim checked) for a dead node, or the node's
 * own when it leaves (claimer '' — the caller is the owner). ARGV: prefix, node, claimer, chunk.
 * Returns how many were removed (0: none left), -1 when the reap claim is not the caller's.
 */
export const UNLIST_NODE_ROOMS = `${PRELUDE}
local node, claimer, chunk = ARGV[2], ARGV[3], tonumber(ARGV[4])
if claimer ~= '' and redis.call('HGET', P .. 'reaping', node) ~= claimer then return -1 end
local ids = redis.call('SPOP', P .. 'rooms:' .. node, chunk)
for _, id in ipairs(ids) do drop(id) end
return #ids
`;

/** One room's listing. ARGV: prefix, roomId. Returns false or {l, m, count, max, locked}. */
export const GET_ROOM = `${PRELUDE}
local id = ARGV[2]
local r = redis.call('HMGET', P .. 'room:' .. id, 'l', 'm', 'max', 'locked')
if not r[1] then return false end
return {r[1], r[2], redis.call('ZCOUNT', P .. 'seats:' .. id, '(' .. now, '+inf'), r[3], r[4]}
`;

/**
 * At most `limit` listings of a type, open rooms (fullest first) or every room, of one pool or
 * of every pool of the type. ARGV: prefix, type, pool ('' every), includeLocked ('1'), limit.
 * Returns a flat list of {l, m, count, max, locked} groups.
 */
export const LIST_ROOMS = `${PRELUDE}
local rtype, pool, all, limit = ARGV[2], ARGV[3], ARGV[4] == '1', tonumber(ARGV[5])
local pools = pool ~= '' and {pool} or redis.call('SMEMBERS', P .. 'pools:' .. rtype)
local out, n = {}, 0
for _, p in ipairs(pools) do
  if n >= limit then break end
  local ids
  if all then ids = redis.call('ZRANGE', P .. 'pool:' .. p, 0, limit - n - 1)
  else ids = redis.call('ZREVRANGE', P .. 'open:' .. p, 0, limit - n - 1) end
  for _, id in ipairs(ids) do
    local r = redis.call('HMGET', P .. 'room:' .. id, 'l', 'm', 'max', 'locked')
    if r[1] then
      local count = redis.call('ZCOUNT', P .. 'seats:' .. id, '(' .. now, '+inf')
      if all or (r[4] ~= '1' and count < tonumber(r[3])) then
        out[#out + 1] = r[1]; out[#out + 1] = r[2]; out[#out + 1] = count; out[#out + 1] = r[3]; out[#out + 1] = r[4]
        n = n + 1
      end
    end
  end
end
return out
`;

/**
 * Take a pool's creation lock for `ttlMs` unless someone holds it. ARGV: prefix, pool, token, ttlMs.
 * Returns 1 taken, 0 held by another.
 */
export const LOCK_CREATION = `
local P, pool, token, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local lock = P .. 'create:' .. pool
if redis.call('EXISTS', lock) == 1 then return 0 end
redis.call('HSET', lock, 't', token)
redis.call('PEXPIRE', lock, ttl)
return 1
`;

/**
 * Mark one room attempt of a lock aborted unless its room was registered first.
 * ARGV: prefix, pool, token, attempt. Returns 1 aborted (or the lock is no longer this one), 0 registered.
 */
export const ABORT_CREATION = `
local P, pool, token, attempt = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local lock = P .. 'create:' .. pool
if redis.call('HGET', lock, 't') ~= token then return 1 end
if redis.call('HSETNX', lock, attempt, 'a') == 1 then return 1 end
if redis.call('HGET', lock, attempt) == 'r' then return 0 end
return 1
`;

/** Release a creation lock if it is still this one, whatever its attempts did. ARGV: prefix, pool, token. */
export const UNLOCK_CREATION = `
local P, pool, token = ARGV[1], ARGV[2], ARGV[3]
local lock = P .. 'create:' .. pool
if redis.call('HGET', lock, 't') == token then redis.call('DEL', lock) end
return 1
`;

/** A node's load, written only while its lease lives (a reaped node is never put back). ARGV: prefix, node, load. */
export const REPORT_LOAD = `
local P, node, load = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', P .. 'node:' .. node) == 1 then redis.call('ZADD', P .. 'load', load, node) end
return 1
`;

/**
 * Power of two choices for `count` rooms: per room, two live nodes at random and the less loaded,
 * counting the rooms this call placed before as `seats` + 1 each (what they will add once filled
 * and registered). ARGV: prefix, count, seats, avoid… (addresses: nodes whose lease names one are
 * not picked — the draw takes as many more at random and drops them, so the two are still a fair
 * pick among the rest). Returns one node per room ({} when no node is live, or none but avoided).
 */
export const TWO_CHOICES = `
local P, count, weight = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]) + 1
local key = P .. 'load'
local avoid, extra = {}, #ARGV - 3
for i = 4, #ARGV do avoid[ARGV[i]] = true end
local added, out = {}, {}
for i = 1, count do
  local pick = redis.call('ZRANDMEMBER', key, 2 + extra, 'WITHSCORES')
  local best, least, seen = nil, nil, 0
  for j = 1, #pick, 2 do
    if seen < 2 and (extra == 0 or not avoid[redis.call('HGET', P .. 'node:' .. pick[j], 'address')]) then
      seen = seen + 1
      local load = tonumber(pick[j + 1]) + (added[pick[j]] or 0)
      if not least or load < least then best, least = pick[j], load end
    end
  end
  if not best then return {} end
  added[best] = (added[best] or 0) + weight
  out[i] = best
end
return out
`;
