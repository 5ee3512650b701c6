/// <reference types="node" preserve="true" />
/**
 * `tickwire/cluster`: many tickwire servers (nodes) over Redis — leases and epochs, cross-node
 * direct messages, topics, presence and requests. Node-only; needs the `redis` package and a Redis
 * server. One process needs none of it: the embedded default does the same in one process.
 */
export { type ClusterMember, ClusterNode, type ClusterOptions, joinCluster } from './cluster/cluster-node.js';
export { ClusterStats } from './cluster/cluster-stats.js';
export { NodeNameTaken } from './cluster/node-lease.js';
export { registerClusterMetrics } from './cluster/cluster-metrics.js';
export { DirectoryFenced, type RedisRoomDirectoryOptions, redisRoomDirectory } from './cluster/redis-room-directory.js';
