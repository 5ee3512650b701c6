import { Counter, Histogram, type Registry } from 'prom-client';
import type { ClusterNode } from './cluster-node.js';
import type { ClusterStats } from './cluster-stats.js';

type CounterField = 'leasesLost' | 'reaps' | 'fencedWrites' | 'batchesLost' | 'messagesLost' | 'duplicateBatches' | 'missedBatches' | 'seatsExpired' | 'batchesSent' | 'batchesReceived';

const COUNTERS: ReadonlyArray<readonly [CounterField, string, string]> = [
  ['leasesLost', 'leases_lost_total', 'Times this node found its lease gone and took a new epoch.'],
  ['reaps', 'reaps_total', 'Dead nodes this node reaped.'],
  ['fencedWrites', 'fenced_writes_total', 'Writes Redis refused because they carried an epoch this node no longer holds.'],
  ['batchesLost', 'batches_lost_total', 'Outgoing batches that never reached their target (fenced, target died, retries exhausted).'],
  ['messagesLost', 'messages_lost_total', 'Messages (direct, publication, request, reply) in the outgoing batches counted lost.'],
  ['duplicateBatches', 'duplicate_batches_total', 'Incoming batches received twice (retried after a dropped connection) and dropped.'],
  ['missedBatches', 'missed_batches_total', 'Incoming batches a sender numbered that never arrived.'],
  ['seatsExpired', 'seats_expired_total', 'Reserved seats that expired unused.'],
  ['batchesSent', 'batches_sent_total', 'Batches appended to other nodes’ inboxes.'],
  ['batchesReceived', 'batches_received_total', 'Batches read from this node’s inbox.'],
];

/**
 * Register the `tickwire_cluster_*` metrics of a cluster node in a registry — pass the server's
 * (`createMetrics(net).registry`) so they appear on the same `/metrics` endpoint.
 */
export function registerClusterMetrics(cluster: ClusterNode, registry: Registry, prefix = 'tickwire_'): void {
  const registers = [registry];
  const stats: ClusterStats = cluster.stats;
  for (const [field, name, help] of COUNTERS) {
    let reported = 0;
    new Counter({
      name: `${prefix}cluster_${name}`,
      help,
      registers,
      collect() {
        const now = stats[field];
        if (now > reported) this.inc(now - reported);
        reported = now;
      },
    });
  }
  new Histogram({
    name: `${prefix}cluster_redis_rtt_seconds`,
    help: 'Round trip of this node’s Redis script calls (per-tick flush, lease renewal).',
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25],
    registers,
    collect() {
      for (const ms of cluster.link.takeRoundTrips()) this.observe(ms / 1000);
    },
  });
  new Histogram({
    name: `${prefix}cluster_inbox_lag_seconds`,
    help: 'Time a batch waited in this node’s inbox stream before it was read.',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1],
    registers,
    collect() {
      for (const ms of stats.takeLags()) this.observe(ms / 1000);
    },
  });
  new Histogram({
    name: `${prefix}cluster_batch_bytes`,
    help: 'Size of the batches this node appended to other nodes’ inboxes.',
    buckets: [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576],
    registers,
    collect() {
      for (const bytes of stats.takeSizes()) this.observe(bytes);
    },
  });
}
