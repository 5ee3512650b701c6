/**
 * Lua for what a node writes once per tick: its presence and interest changes (applied to the
 * per-identity presence hashes and the node's interest hash, announced as one event) and one
 * batch per target node (one XADD each). One script call per tick, fenced by the node's epoch.
 */

/**
 * ARGV: prefix, node, epoch, presence JSON ([[identity, present 0/1, metadata JSON or '']…] or ''),
 * interest JSON ([[pattern, count]…] or ''), maxInbox, maxEvents, then target/batch pairs.
 * Returns {-1} when fenced (the epoch is not the node's any more: nothing was written), else
 * {1, unreachable targets…} (targets without a live lease get nothing: no inbox is made for a dead node).
 */
export const FLUSH = `
local P, node, epoch, presence, interest, maxInbox, maxEvents = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
if redis.call('HGET', P .. 'node:' .. node, 'epoch') ~= epoch then return {-1} end
local announced = ''
if presence ~= '' then
  local out = {}
  local members = P .. 'members:' .. node
  for i, change in ipairs(cjson.decode(presence)) do
    local id, present, metadata = change[1], change[2], change[3]
    local key = P .. 'presence:' .. id
    local edge = 0
    if present == 1 then
      if redis.call('HSET', key, node, metadata) == 1 and redis.call('HLEN', key) == 1 then edge = 1 end
      redis.call('SADD', members, id)
    else
      if redis.call('HDEL', key, node) == 1 and redis.call('HLEN', key) == 0 then edge = 1 end
      redis.call('SREM', members, id)
    end
    out[i] = {id, present, metadata, edge}
  end
  announced = cjson.encode(out)
end
if interest ~= '' then
  local interestKey = P .. 'interest:' .. node
  for _, change in ipairs(cjson.decode(interest)) do
    if change[2] > 0 then redis.call('HSET', interestKey, change[1], change[2]) else redis.call('HDEL', interestKey, change[1]) end
  end
end
if announced ~= '' or interest ~= '' then
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', maxEvents, '*', 'n', node, 'k', 's', 'p', announced, 'i', interest)
end
local result = {1}
for i = 8, #ARGV, 2 do
  local target = ARGV[i]
  if redis.call('EXISTS', P .. 'node:' .. target) == 1 then
    redis.call('XADD', P .. 'inbox:' .. target, 'MAXLEN', '~', maxInbox, '*', 'f', node, 'e', epoch, 'b', ARGV[i + 1])
  else
    result[#result + 1] = target
  end
end
return result
`;
