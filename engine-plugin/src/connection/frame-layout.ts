import type { ByteWriter } from '../protocol/bytes.js';
import { FrameKind, type PeerLimits, type TickHeader, type WireMessage, writeClientHeader, writeMessages, writeTickHeader } from '../protocol/frames.js';

/**
 * Laying out what one side has to send in frames the peer accepts (its advertised
 * {@link PeerLimits}): at most `maxFrameBytes` each, at most `maxMessagesPerFrame` messages each.
 * The common case — everything fits in one frame — never comes here; these run when a tick's
 * output is too big, and their cost is a copy of it.
 */

/** Cuts one state section into sections of at most `budget` bytes that applied in order do what it did. */
export type StateSplitter = (section: Uint8Array, budget: number) => readonly Uint8Array[];

/** Worst case of a messages section's count and first sequence. */
const SECTION_HEAD_BYTES = 16;
/** Worst case of one message's framing besides its length varint: an entry head and a run count. */
const ENTRY_BYTES = 10;

function varintBytes(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** The end of the longest run of messages from `from` whose section fits in `room` bytes and `maxCount` messages (at least one). */
function fittingMessages(messages: readonly WireMessage[], from: number, room: number, maxCount: number): number {
  let used = SECTION_HEAD_BYTES;
  let end = from;
  while (end < messages.length && end - from < maxCount) {
    const length = messages[end]!.payload.length;
    const cost = ENTRY_BYTES + varintBytes(length) + length;
    if (used + cost > room && end > from) break;
    used += cost;
    end++;
  }
  return end;
}

/**
 * One tick's frames: the messages in order over as many frames as they need, then the state
 * section — in the last messages frame if it fits there, else cut by `split` into sections of
 * their own frames. Every frame carries the same header; all but the last are
 * {@link FrameKind.TickPart}, the last is a {@link FrameKind.Tick}.
 */
export function tickFrames(
  w: ByteWriter,
  header: TickHeader,
  messages: readonly WireMessage[],
  firstSeq: number,
  state: Uint8Array,
  limits: PeerLimits,
  split: StateSplitter | undefined,
): Uint8Array[] {
  const frames: Uint8Array[] = [];
  w.reset();
  writeTickHeader(w, header, FrameKind.TickPart);
  const headerBytes = w.length;
  let stateSent = state.length === 0;
  for (let i = 0; i < messages.length; ) {
    const end = fittingMessages(messages, i, limits.maxFrameBytes - headerBytes, limits.maxMessagesPerFrame);
    w.reset();
    writeTickHeader(w, header, FrameKind.TickPart);
    writeMessages(w, messages.slice(i, end), firstSeq + i);
    i = end;
    if (i === messages.length && !stateSent && w.length + state.length <= limits.maxFrameBytes) {
      w.bytes(state);
      stateSent = true;
    }
    frames.push(w.finish());
  }
  if (!stateSent) {
    // A section's own frame holds the header and an empty messages section (one byte) besides it.
    const budget = limits.maxFrameBytes - headerBytes - 1;
    if (!split && state.length > budget) throw new Error(`a state section of ${state.length} bytes does not fit a frame of ${limits.maxFrameBytes} and nothing can split it`);
    for (const part of split ? split(state, budget) : [state]) {
      w.reset();
      writeTickHeader(w, header, FrameKind.TickPart);
      writeMessages(w, [], 0);
      w.bytes(part);
      frames.push(w.finish());
    }
  }
  frames[frames.length - 1]![0] = FrameKind.Tick;
  return frames;
}

/** Client frames for `messages`: as many as the server's limits need, each with the acknowledgement. */
export function clientFrames(w: ByteWriter, ack: number, messages: readonly WireMessage[], firstSeq: number, limits: PeerLimits): Uint8Array[] {
  const frames: Uint8Array[] = [];
  w.reset();
  writeClientHeader(w, { ack });
  const headerBytes = w.length;
  let i = 0;
  do {
    const end = fittingMessages(messages, i, limits.maxFrameBytes - headerBytes, limits.maxMessagesPerFrame);
    w.reset();
    writeClientHeader(w, { ack });
    writeMessages(w, i === 0 && end === messages.length ? messages : messages.slice(i, end), firstSeq + i);
    frames.push(w.finish());
    i = end;
  } while (i < messages.length);
  return frames;
}
