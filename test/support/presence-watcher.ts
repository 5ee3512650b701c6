/**
 * A cluster node in the test process that holds no sessions and records what the bus hands its
 * messaging layer: the per-node presence changes, turned into identity-level online/offline (an
 * identity is online while any node holds a session of it), with when each happened.
 */
import type { BusDelivery, LocalPresence } from '../../engine-plugin/src/index';
import { type ClusterNode, joinCluster } from '../../engine-plugin/src/cluster';
import { silentLogger } from '../../engine-plugin/src/index';

export interface PresenceWatcher {
  readonly cluster: ClusterNode;
  /** Identity → the nodes holding a session of it, as the bus reported. */
  readonly holders: Map<string, Set<string>>;
  /** Identity-level edges in order, with the time (Date.now) each was seen. */
  readonly edges: Array<{ identity: string; status: 'online' | 'offline'; at: number }>;
  close(): Promise<void>;
}

export async function watchPresence(redis: string, node = 'watcher'): Promise<PresenceWatcher> {
  const cluster = await joinCluster({ redis, address: 'ws://127.0.0.1:1/ws', node, logger: silentLogger });
  const holders = new Map<string, Set<string>>();
  const edges: PresenceWatcher['edges'] = [];
  const delivery: BusDelivery = {
    direct: () => 0,
    publish: () => 0,
    presence(from: string, change: LocalPresence) {
      let nodes = holders.get(change.identity);
      const before = nodes?.size ?? 0;
      if (change.present) {
        if (!nodes) {
          nodes = new Set();
          holders.set(change.identity, nodes);
        }
        nodes.add(from);
      } else nodes?.delete(from);
      const after = nodes?.size ?? 0;
      if (before === 0 && after > 0) edges.push({ identity: change.identity, status: 'online', at: Date.now() });
      if (before > 0 && after === 0) edges.push({ identity: change.identity, status: 'offline', at: Date.now() });
      if (nodes && after === 0) holders.delete(change.identity);
    },
  };
  cluster.bus.attach(delivery);
  return { cluster, holders, edges, close: () => cluster.leave() };
}
