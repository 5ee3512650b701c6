/**
 * Lua for node leases, epochs and reaping. Every script reads the time from Redis (`TIME`), so
 * deadlines never depend on the nodes' clocks agreeing. Every write a node makes is fenced: it
 * names the epoch the node holds, and the script refuses it unless `node:<name>` still carries
 * that epoch (the lease expired, was reaped or was taken again by a newer epoch otherwise).
 *
 * ARGV[1] is always the key prefix (`tw:`); key names are built in Lua (see docs/architecture.md
 * for what Redis Cluster needs instead).
 */

/** Shared preamble: the prefix and the Redis time in ms. */
const PRELUDE = `
local P = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/**
 * Lua functions shared by the reap and leave scripts: `absent(node, ids)` drops the node's field
 * from each identity's presence hash and announces it (with the edge when it was the last node);
 * `forget(node)` deletes every key naming the node and its lease and load entries.
 */
const NODE_REMOVAL = `
local function absent(node, ids, maxEvents)
  if #ids == 0 then return end
  local out = {}
  for i, id in ipairs(ids) do
    local key = P .. 'presence:' .. id
    redis.call('HDEL', key, node)
    out[i] = {id, 0, '', redis.call('HLEN', key) == 0 and 1 or 0}
  end
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', maxEvents, '*', 'n', node, 'k', 's', 'p', cjson.encode(out), 'i', '')
end
local function forget(node, maxEvents)
  redis.call('DEL', P .. 'inbox:' .. node, P .. 'interest:' .. node, P .. 'members:' .. node, P .. 'node:' .. node, P .. 'load:' .. node)
  redis.call('ZREM', P .. 'leases', node)
  redis.call('ZREM', P .. 'load', node)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', maxEvents, '*', 'n', node, 'k', 'g')
end
`;

/**
 * Register a node: a new epoch (one counter for every node, so epochs never repeat), the node's
 * hash with a lease TTL, its deadline in the lease set and an `up` event.
 * ARGV: prefix, node, address, leaseMs, maxEvents. Returns {epoch, 'ok'} or {0, why}: 'held' (a
 * live lease has this name), 'lapsed' (an expired lease nobody reaped yet: reap it first) or
 * 'reaping' (another node is reaping it: wait).
 */
export const REGISTER = `${PRELUDE}
local node, address, leaseMs, maxEvents = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local nodeKey = P .. 'node:' .. node
if redis.call('HEXISTS', P .. 'reaping', node) == 1 then return {0, 'reaping'} end
if redis.call('ZSCORE', P .. 'leases', node) then
  if redis.call('EXISTS', nodeKey) == 1 then return {0, 'held'} end
  return {0, 'lapsed'}
end
local epoch = redis.call('INCR', P .. 'epoch')
redis.call('HSET', nodeKey, 'epoch', epoch, 'address', address)
redis.call('PEXPIRE', nodeKey, leaseMs)
redis.call('ZADD', P .. 'leases', now + leaseMs, node)
redis.call('XADD', P .. 'events', 'MAXLEN', '~', maxEvents, '*', 'n', node, 'k', 'u', 'e', epoch)
return {epoch, 'ok'}
`;

/**
 * Renew a lease, trim this node's inbox up to what it has read, trim old events, and name a node
 * to reap: one whose reap this node claimed and did not finish, else the earliest expired lease of
 * another node, claimed (one script a second does all of it). The reaping hash holds only nodes
 * being reaped, so reading it whole is small.
 * ARGV: prefix, node, epoch, leaseMs, inboxReadId ('' none), claimMs, eventsKeepMs.
 * Returns {0} when the lease is lost (fenced), else {1, claimed node or false, now}.
 */
export const RENEW = `${PRELUDE}
local node, epoch, leaseMs, readId, claimMs, keepMs = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local nodeKey = P .. 'node:' .. node
if redis.call('HGET', nodeKey, 'epoch') ~= epoch then return {0} end
redis.call('PEXPIRE', nodeKey, leaseMs)
redis.call('ZADD', P .. 'leases', now + leaseMs, node)
if readId ~= '' then redis.call('XTRIM', P .. 'inbox:' .. node, 'MINID', readId) end
redis.call('XTRIM', P .. 'events', 'MINID', '~', tostring(now - keepMs))
-- A reap this node claimed and did not finish (its connection dropped mid-way) is resumed first:
-- left alone, its claim would keep the dead node's name (and its re-registration) blocked for claimMs.
local held = redis.call('HGETALL', P .. 'reaping')
for i = 1, #held, 2 do
  if held[i + 1] == node and held[i] ~= node and redis.call('EXISTS', P .. 'node:' .. held[i]) == 0 then return {1, held[i], now} end
end
local due = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now, 'LIMIT', 0, 1)[1]
if due and due ~= node and redis.call('EXISTS', P .. 'node:' .. due) == 0 then
  redis.call('ZADD', P .. 'leases', now + claimMs, due)
  redis.call('HSET', P .. 'reaping', due, node)
  return {1, due, now}
end
return {1, false, now}
`;

/**
 * Claim one named node whose lease lapsed (a node reaping its own leftovers before it registers
 * again). ARGV: prefix, target, claimer, claimMs. Returns 1 when claimed.
 */
export const CLAIM = `${PRELUDE}
local target, claimer, claimMs = ARGV[2], ARGV[3], tonumber(ARGV[4])
local deadline = redis.call('ZSCORE', P .. 'leases', target)
if not deadline or tonumber(deadline) > now or redis.call('EXISTS', P .. 'node:' .. target) == 1 then return 0 end
redis.call('ZADD', P .. 'leases', now + claimMs, target)
redis.call('HSET', P .. 'reaping', target, claimer)
return 1
`;

/**
 * Reap one chunk of a dead node's identities: drop its field from each identity's presence hash
 * and announce the change, with the edge when that was the identity's last node.
 * ARGV: prefix, dead node, claimer, chunk, maxEvents. Returns how many were reaped (0: done), -1
 * when the claim is no longer the caller's.
 */
export const REAP_MEMBERS = `${PRELUDE}${NODE_REMOVAL}
local dead, claimer, chunk, maxEvents = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
if redis.call('HGET', P .. 'reaping', dead) ~= claimer then return -1 end
local ids = redis.call('SPOP', P .. 'members:' .. dead, chunk)
absent(dead, ids, maxEvents)
return #ids
`;

/**
 * Finish a reap: delete everything left that names the dead node and release the claim.
 * ARGV: prefix, dead node, claimer, maxEvents. Returns 1, or -1 when the claim is not the caller's.
 */
export const REAP_FINISH = `${PRELUDE}${NODE_REMOVAL}
local dead, claimer, maxEvents = ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', P .. 'reaping', dead) ~= claimer then return -1 end
forget(dead, maxEvents)
redis.call('HDEL', P .. 'reaping', dead)
return 1
`;

/**
 * Leave for good (drain finished, close): the same deletions as a reap, with the node's own
 * identities announced offline, fenced by the node's epoch. ARGV: prefix, node, epoch, maxEvents.
 */
export const LEAVE = `${PRELUDE}${NODE_REMOVAL}
local node, epoch, maxEvents = ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', P .. 'node:' .. node, 'epoch') ~= epoch then return 0 end
absent(node, redis.call('SMEMBERS', P .. 'members:' .. node), maxEvents)
forget(node, maxEvents)
return 1
`;
