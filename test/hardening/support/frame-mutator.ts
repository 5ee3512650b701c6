/**
 * A seeded mutator over valid tickwire frames: truncation, bit flips, huge varints, wrong ids,
 * MessagePack bombs, splices, text frames and oversize frames. Deterministic for a seed, so a
 * failure found by a long run is replayed by its seed and frame number.
 */
import { encode } from '@msgpack/msgpack';
import { PROTOCOL_VERSION, type Protocol } from '../../../engine-plugin/src/index';
import { ByteWriter, FrameKind, encodeHello, encodePing, encodePong, writeMessages } from '../../../engine-plugin/src/protocol';

/** mulberry32: a tiny, fast, seedable PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The mutations, by name (the counts a run reports are keyed by these). */
export const MUTATIONS = [
  'valid',
  'truncate',
  'bitflip',
  'hugeVarint',
  'wrongId',
  'msgpackBomb',
  'schemaInvalid',
  'seqJump',
  'kindByte',
  'random',
  'splice',
  'appendGarbage',
  'text',
  'oversize',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** One fuzzed frame and how it was made. */
export interface FuzzFrame {
  readonly data: Uint8Array | string;
  readonly mutation: Mutation;
}

/** A MessagePack payload built to hurt a decoder. */
function msgpackBomb(random: () => number): Uint8Array {
  switch (Math.floor(random() * 5)) {
    case 0: {
      // Nesting: [[[[…]]]] a hundred thousand deep in one byte per level.
      const depth = 1000 + Math.floor(random() * 100_000);
      const bytes = new Uint8Array(depth + 1).fill(0x91);
      bytes[depth] = 0xc0;
      return bytes;
    }
    case 1:
      // map32 / array32 claiming four billion entries.
      return new Uint8Array([random() < 0.5 ? 0xdf : 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]);
    case 2:
      // str32 / bin32 claiming four gigabytes.
      return new Uint8Array([random() < 0.5 ? 0xdb : 0xc6, 0xff, 0xff, 0xff, 0xf0, 0x41]);
    case 3:
      // ext types, which tickwire refuses.
      return new Uint8Array([0xd4, 0x01, 0x00]);
    default: {
      // A wide map of maps: many small allocations.
      const entries: Record<string, unknown> = {};
      for (let i = 0; i < 200; i++) entries[`k${i}`] = { a: [i, i, i] };
      return encode({ text: entries });
    }
  }
}

/** A frame source for one fuzzed connection: valid frames in sequence, each maybe mutated. */
export class FrameMutator {
  readonly random: () => number;
  private seq = 0;

  constructor(
    seed: number,
    private readonly protocol: Protocol,
    private readonly chatId: number,
    private readonly maxFrameBytes: number,
  ) {
    this.random = prng(seed);
  }

  /** The Hello opening a connection, mutated with probability `p`. */
  hello(p: number): FuzzFrame {
    this.seq = 0;
    const valid = encodeHello({ version: PROTOCOL_VERSION, fingerprint: this.protocol.fingerprint, resumeToken: '', received: 0 });
    return this.random() < p ? this.mutate(valid) : { data: valid, mutation: 'valid' };
  }

  /** A valid frame of a random kind: a Client frame with messages, a Ping or a Pong. */
  validFrame(): Uint8Array {
    const r = this.random();
    if (r < 0.15) return encodePing(this.random() * 1e6);
    if (r < 0.25) return encodePong({ echo: this.random() * 1e6, time: Date.now(), tick: Math.floor(this.random() * 1000) });
    const w = new ByteWriter(64);
    w.u8(FrameKind.Client);
    w.varint(0);
    const count = Math.floor(this.random() * 3);
    const messages = Array.from({ length: count }, (_, i) => ({ typeId: this.chatId, payload: encode({ text: `fuzz ${this.seq + i}` }) }));
    writeMessages(w, messages, this.seq + 1);
    this.seq += count;
    return w.finish();
  }

  /** The next frame: valid with probability `pValid`, else a random mutation of a valid one. */
  next(pValid: number): FuzzFrame {
    const valid = this.validFrame();
    return this.random() < pValid ? { data: valid, mutation: 'valid' } : this.mutate(valid);
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** One mutation of `frame`. */
  mutate(frame: Uint8Array): FuzzFrame {
    const mutation = MUTATIONS[1 + this.int(MUTATIONS.length - 1)]!;
    const bytes = frame.slice();
    switch (mutation) {
      case 'truncate':
        return { data: bytes.subarray(0, this.int(bytes.length)), mutation };
      case 'bitflip': {
        const flips = 1 + this.int(8);
        for (let i = 0; i < flips; i++) bytes[this.int(bytes.length)]! ^= 1 << this.int(8);
        return { data: bytes, mutation };
      }
      case 'hugeVarint': {
        const at = 1 + this.int(Math.max(1, bytes.length - 1));
        const varint = this.random() < 0.5 ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f] : [0xff, 0xff, 0xff, 0xff, 0x0f];
        return { data: splice(bytes, at, this.int(3), varint), mutation };
      }
      case 'wrongId': {
        const w = new ByteWriter(32);
        w.u8(FrameKind.Client);
        w.varint(0);
        const ids = [0, 1, this.protocol.messages.length, this.protocol.messages.length + this.int(1000), 0x7fffffff];
        writeMessages(w, [{ typeId: ids[this.int(ids.length)]!, payload: encode({ text: 'x' }) }], this.seq + 1);
        return { data: w.finish(), mutation };
      }
      case 'msgpackBomb':
      case 'schemaInvalid': {
        const payload = mutation === 'msgpackBomb' ? msgpackBomb(this.random) : encode({ text: this.int(2) ? 42 : 'x', extra: 1 });
        const w = new ByteWriter(payload.length + 16);
        w.u8(FrameKind.Client);
        w.varint(0);
        writeMessages(w, [{ typeId: this.chatId, payload }], this.seq + 1);
        this.seq++;
        return { data: w.finish(), mutation };
      }
      case 'seqJump': {
        const w = new ByteWriter(32);
        w.u8(FrameKind.Client);
        w.varint(this.int(5));
        writeMessages(w, [{ typeId: this.chatId, payload: encode({ text: 'jump' }) }], this.seq + 2 + this.int(1_000_000));
        return { data: w.finish(), mutation };
      }
      case 'kindByte':
        bytes[0] = this.int(256);
        return { data: bytes, mutation };
      case 'random': {
        const out = new Uint8Array(this.int(96));
        for (let i = 0; i < out.length; i++) out[i] = this.int(256);
        return { data: out, mutation };
      }
      case 'splice':
        return { data: concat(bytes, this.validFrame()), mutation };
      case 'appendGarbage': {
        const tail = new Uint8Array(1 + this.int(16));
        for (let i = 0; i < tail.length; i++) tail[i] = this.int(256);
        return { data: concat(bytes, tail), mutation };
      }
      case 'text':
        return { data: this.random() < 0.5 ? '{"type":"chat","data":{"text":"hi"}}' : String.fromCharCode(this.int(65536)), mutation };
      case 'oversize': {
        const big = new Uint8Array(this.maxFrameBytes + 1 + this.int(1024));
        big.set(bytes.subarray(0, Math.min(bytes.length, big.length)));
        return { data: big, mutation };
      }
      default:
        return { data: bytes, mutation: 'valid' };
    }
  }
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: readonly number[]): Uint8Array {
  const out = new Uint8Array(bytes.length - Math.min(remove, bytes.length - at) + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(Math.min(bytes.length, at + remove)), at + insert.length);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
