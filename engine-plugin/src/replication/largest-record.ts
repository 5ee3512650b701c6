import { FRAME_RESERVE_BYTES, MIN_FRAME_BYTES } from '../protocol/frames.js';
import type { Protocol } from '../schema/protocol.js';
import { layoutComponents, wireBound } from './component-layout.js';

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
