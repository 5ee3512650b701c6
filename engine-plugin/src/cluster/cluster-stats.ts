/**
 * Counters and samples of one cluster node, read by the `tickwire_cluster_*` metrics and by tests.
 * Counters only grow; samples are drained by whoever reads them (the metrics scrape).
 */
export class ClusterStats {
  /** Times this node found its lease gone (stall, partition) and took a new epoch. */
  leasesLost = 0;
  /** Dead nodes this node reaped. */
  reaps = 0;
  /** Writes Redis refused because they named an epoch this node no longer holds. */
  fencedWrites = 0;
  /** Batches that never reached their target: fenced, sent to a node that died, or given up after retries. */
  batchesLost = 0;
  /** Batches received twice (a retry after a dropped connection) and dropped. */
  duplicateBatches = 0;
  /** Direct messages, publications, requests and replies in the batches counted in {@link batchesLost}. */
  messagesLost = 0;
  /** Batches a sender numbered but this node never received (trimmed or lost in a Redis restart). */
  missedBatches = 0;
  /** Unused seats that expired before their client came. */
  seatsExpired = 0;
  /** Batches sent and received. */
  batchesSent = 0;
  batchesReceived = 0;
  /** Cross-node messages (direct, publication) sent and received. */
  messagesSent = 0;
  messagesReceived = 0;
  private lags: number[] = [];
  private sizes: number[] = [];

  /** A received batch waited `ms` in the inbox (Redis entry time to read). */
  inboxLag(ms: number): void {
    if (this.lags.length < 4096) this.lags.push(ms);
  }

  /** A batch of `bytes` was sent. */
  batchBytes(bytes: number): void {
    if (this.sizes.length < 4096) this.sizes.push(bytes);
  }

  /** The inbox lags (ms) since the last call. */
  takeLags(): number[] {
    const taken = this.lags;
    this.lags = [];
    return taken;
  }

  /** The sizes (bytes) of batches sent since the last call. */
  takeSizes(): number[] {
    const taken = this.sizes;
    this.sizes = [];
    return taken;
  }
}
