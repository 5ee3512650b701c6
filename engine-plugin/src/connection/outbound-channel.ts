import type { WireMessage } from '../protocol/frames.js';

/** A queued reliable message. Its sequence number is assigned when it leaves, so drops leave no gaps. */
export interface OutboundMessage extends WireMessage {
  seq: number;
  readonly droppable: boolean;
}

const NONE: readonly OutboundMessage[] = Object.freeze([]);

/** A generous bound on one message's framing in a frame (entry head, run count, length). */
const MESSAGE_FRAMING_BYTES = 16;

function framedBytes(messages: readonly OutboundMessage[]): number {
  let bytes = 0;
  for (const m of messages) bytes += m.payload.length + MESSAGE_FRAMING_BYTES;
  return bytes;
}

/** What {@link OutboundChannel.take} hands out: the messages of the frame being written and the first one's sequence number. */
export interface TakenMessages {
  readonly messages: readonly OutboundMessage[];
  readonly firstSeq: number;
}

/**
 * The one result object every channel's `take` fills in: a server flushes thousands of
 * connections a tick, and a fresh object per connection per tick was most of an idle tick's
 * garbage. Callers read it at once (a frame is written synchronously) and never keep it.
 */
const taken: { messages: readonly OutboundMessage[]; firstSeq: number } = { messages: NONE, firstSeq: 1 };

function result(messages: readonly OutboundMessage[], firstSeq: number): TakenMessages {
  taken.messages = messages;
  taken.firstSeq = firstSeq;
  return taken;
}

/** How much {@link OutboundChannel.take} may take of the waiting messages: a count and bytes (payloads plus framing). */
export interface SendAllowance {
  readonly count: number;
  readonly bytes: number;
}

/** What happened to a pushed message. */
export type PushResult = 'queued' | 'dropped-oldest' | 'dropped' | 'overflow';

/**
 * One connection's bounded reliable channel: messages waiting for the next frame (`pending`), and
 * messages sent but not yet acknowledged (`unacked`), kept to replay after a resume.
 */
export class OutboundChannel {
  private pending: OutboundMessage[] = [];
  private unacked: OutboundMessage[] = [];
  private pendingBytes = 0;
  private nextSeq = 1;
  /** During a paced replay: the sequence of the next unacknowledged message to resend (0: no replay in progress). */
  private resendFrom = 0;
  private warned = false;
  /** Messages dropped under drop-oldest, for metrics. */
  dropped = 0;
  /** False once an unacknowledged message had to be forgotten: a resume can no longer be exact. */
  replayComplete = true;

  constructor(
    private readonly capacity: number,
    private readonly capacityBytes: number,
    private readonly replayCapacity: number,
    private readonly warningThreshold: number,
  ) {}

  /** Messages and bytes waiting for the next frame. */
  get depth(): number {
    return this.pending.length;
  }

  get bytes(): number {
    return this.pendingBytes;
  }

  /** True while a paced replay has unacknowledged messages left to resend (see {@link take}). */
  get resending(): boolean {
    return this.resendFrom > 0;
  }

  /** Sequence of the most recently sent message (0 before any). */
  get lastSentSeq(): number {
    return this.nextSeq - 1;
  }

  private full(extraBytes: number): boolean {
    return this.pending.length + 1 > this.capacity || this.pendingBytes + extraBytes > this.capacityBytes;
  }

  private dropOldestDroppable(): boolean {
    const index = this.pending.findIndex((m) => m.droppable);
    if (index < 0) return false;
    this.pendingBytes -= this.pending[index]!.payload.length;
    this.pending.splice(index, 1);
    this.dropped++;
    return true;
  }

  /**
   * Queue a message. When full, the oldest droppable message makes room; failing that a droppable
   * newcomer is itself dropped, and anything else overflows (the caller closes with 4008).
   */
  push(typeId: number, payload: Uint8Array, droppable: boolean): PushResult {
    let result: PushResult = 'queued';
    while (this.full(payload.length)) {
      if (this.dropOldestDroppable()) {
        result = 'dropped-oldest';
        continue;
      }
      if (droppable) {
        this.dropped++;
        return 'dropped';
      }
      return 'overflow';
    }
    this.pending.push({ typeId, payload, droppable, seq: 0 });
    this.pendingBytes += payload.length;
    return result;
  }

  /** True once per crossing of the warning threshold (re-armed when the queue drains below half of it). */
  crossedWarning(): boolean {
    const fill = Math.max(this.pending.length / this.capacity, this.pendingBytes / this.capacityBytes);
    if (!this.warned && fill >= this.warningThreshold) {
      this.warned = true;
      return true;
    }
    if (this.warned && fill < this.warningThreshold / 2) this.warned = false;
    return false;
  }

  /**
   * Everything pending, numbered and moved to the replay buffer, with the first sequence number.
   * With `replay`, the unacknowledged messages go first, under their original numbers: a resumed
   * peer drops the ones it already had, so nothing is lost or duplicated. With an `allowance`
   * (a client pacing itself under the server's rate limits) only what fits is taken — the replay
   * first, continued by later calls, and fresh messages only once it is complete — and the rest
   * waits. The result is shared by every channel and overwritten by the next `take`: read it at once.
   */
  take(replay = false, allowance?: SendAllowance): TakenMessages {
    if (replay) this.resendFrom = this.unacked[0]?.seq ?? 0;
    let resent = NONE;
    let room = allowance;
    if (this.resendFrom > 0) {
      resent = this.takeResend(allowance);
      if (this.resendFrom > 0) return result(resent, resent[0]?.seq ?? this.nextSeq);
      if (allowance !== undefined) room = { count: allowance.count - resent.length, bytes: allowance.bytes - framedBytes(resent) };
    }
    let fresh = this.pending;
    if (room !== undefined && !this.within(room)) {
      fresh = this.takePrefix(room);
    } else {
      // Most frames of a quiet connection carry no message: keep the empty queue rather than allocate another.
      if (fresh.length > 0) this.pending = [];
      this.pendingBytes = 0;
    }
    for (const m of fresh) {
      m.seq = this.nextSeq++;
      this.unacked.push(m);
    }
    if (this.unacked.length > this.replayCapacity) {
      this.unacked.splice(0, this.unacked.length - this.replayCapacity);
      this.replayComplete = false;
    }
    const messages = resent.length ? resent.concat(fresh) : fresh.length ? fresh : NONE;
    return result(messages, messages[0]?.seq ?? this.nextSeq);
  }

  /** The next unacknowledged messages of a replay in progress, within `allowance`; clears {@link resendFrom} once all are out. */
  private takeResend(allowance: SendAllowance | undefined): OutboundMessage[] {
    let start = 0;
    while (start < this.unacked.length && this.unacked[start]!.seq < this.resendFrom) start++;
    let end = start;
    let bytes = 0;
    while (end < this.unacked.length) {
      const cost = this.unacked[end]!.payload.length + MESSAGE_FRAMING_BYTES;
      if (allowance !== undefined && (end - start >= allowance.count || bytes + cost > allowance.bytes)) break;
      bytes += cost;
      end++;
    }
    this.resendFrom = end < this.unacked.length ? this.unacked[end]!.seq : 0;
    return this.unacked.slice(start, end);
  }

  private within(allowance: SendAllowance): boolean {
    if (allowance.count <= 0 || allowance.bytes <= 0) return this.pending.length === 0;
    return this.pending.length <= allowance.count && this.pendingBytes + this.pending.length * MESSAGE_FRAMING_BYTES <= allowance.bytes;
  }

  /** The longest prefix of the waiting messages within `allowance` (counting framing); the rest keep waiting. */
  private takePrefix(allowance: SendAllowance): OutboundMessage[] {
    let n = 0;
    let bytes = 0;
    while (n < this.pending.length && n < allowance.count) {
      const cost = this.pending[n]!.payload.length + MESSAGE_FRAMING_BYTES;
      if (bytes + cost > allowance.bytes) break;
      bytes += cost;
      n++;
    }
    const taken = this.pending.splice(0, n);
    for (const m of taken) this.pendingBytes -= m.payload.length;
    return taken;
  }

  /** Messages the peer will drop unread because they are over its advertised limit: removed from the queue, returned. */
  removeOversized(limit: number): OutboundMessage[] {
    const oversized = this.pending.filter((m) => m.payload.length > limit);
    if (oversized.length === 0) return oversized;
    this.pending = this.pending.filter((m) => m.payload.length <= limit);
    for (const m of oversized) this.pendingBytes -= m.payload.length;
    return oversized;
  }

  /**
   * A new session (not a resume): the peer numbers from 1 again, so must we. Sent-but-unacked
   * messages belonged to the old session and are forgotten; messages still waiting are kept and
   * go out first in the new one.
   */
  restart(): void {
    this.unacked = [];
    this.resendFrom = 0;
    this.nextSeq = 1;
    this.replayComplete = true;
  }

  /** The peer received everything up to `seq`: forget it. */
  ack(seq: number): void {
    let n = 0;
    while (n < this.unacked.length && this.unacked[n]!.seq <= seq) n++;
    if (n > 0) this.unacked.splice(0, n);
  }

  /**
   * After a resume: the peer has everything up to `received`. False when a message it lacks was
   * already forgotten (the replay buffer overflowed), so the resume cannot be exact.
   */
  canReplayAfter(received: number): boolean {
    this.ack(received);
    const oldestKept = this.unacked[0]?.seq ?? this.nextSeq;
    return this.replayComplete || oldestKept <= received + 1;
  }
}
