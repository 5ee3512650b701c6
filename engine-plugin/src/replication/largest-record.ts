import { FRAME_RESERVE_BYTES, MIN_FRAME_BYTES } from '../protocol/frames.js';
import type { Protocol } from '../schema/protocol.js';
import { entityCapacity, layoutComponents, wireBound } from './component-layout.js';

/**
 * The most bytes one entity record of `protocol` can take in a state section: its id gap and
 * component mask, then for every component a field mask and every field at its widest (strings
 * full). A state section is cut only between records, so a peer's frame must hold this one.
 */
export function largestRecordBytes(protocol: Protocol): number {
  let bytes = 5 + 5;
  for (const layout of layoutComponents(protocol)) bytes += 5 + layout.fields.reduce((sum, field) => sum + wireBound(field), 0);
  return bytes;
}

/**
 * The smallest `maxFrameBytes` a client of `protocol` may advertise: the largest entity record
 * with a frame's header and framing around it (and never below the protocol's floor of 1024).
 */
export function smallestClientFrameBytes(protocol: Protocol): number {
  return Math.max(MIN_FRAME_BYTES, largestRecordBytes(protocol) + FRAME_RESERVE_BYTES);
}

/**
 * The most frames one split tick can take for a client whose frames hold `maxFrameBytes`: the
 * frames carrying messages (at most `messageFrames`, one message each at worst), then state parts,
 * each filled to within one record of its budget, for a tick that despawns and fully re-sends
 * every entity the protocol can hold. A server never needs more; a client refuses more (1009).
 */
export function largestSplitTick(protocol: Protocol, maxFrameBytes: number, messageFrames: number): number {
  const record = largestRecordBytes(protocol);
  const stateBytes = entityCapacity(layoutComponents(protocol)) * (record + 5);
  const filled = Math.max(1, maxFrameBytes - FRAME_RESERVE_BYTES - record);
  return messageFrames + Math.ceil(stateBytes / filled) + 1;
}
