import type { FieldArray } from '../schema/component.js';
import type { ChangeSink } from './change-detection.js';
import type { FieldLayout } from './component-layout.js';
import type { IdList } from './entity-set.js';
import { type Generated, type GeneratedContext, generate } from './generated-code.js';

/**
 * The exact per-entity compare of one component, run on the candidates that marks or the column
 * diff produced: each field of each listed entity against its shadow. The shadow takes the new
 * value at once (what is compared next tick is what this tick sends). Exact fields compare bit
 * patterns (f32/f64 through Int32 views, so a NaN equals itself and -0 differs from 0);
 * quantised fields compare the store's bits with the bits last quantised, so an unchanged value
 * never reaches the divide, and a changed one compares its q with the last SENT q: slow drift
 * below one step accumulates until it crosses a step and is sent. A NaN has no q: the last sent
 * one stands and the entity is listed for the `onNaN` report. An entity whose mask comes
 * out non-zero and that is a member gets its field bits in `changed`, the component's bit in
 * `sink.dirty` and its id in `sink.changed`; a non-member's shadow is merely refreshed (it is
 * adopted afresh when it joins).
 *
 * Returns how many entities were reported.
 */
export type RowCompare = (context: GeneratedContext, list: Int32Array, n: number, sink: ChangeSink, componentBit: number) => number;

/** How one field is compared. */
export const CompareKind = { Integer: 0, Bits32: 1, Bits64: 2, Quantized32: 3, Quantized64: 4, String: 5 } as const;

/** The arrays a component's row compare reads and writes, one entry per field. */
export interface CompareTargets {
  readonly fields: readonly FieldLayout[];
  readonly kinds: Uint8Array;
  /** f32/f64 stores viewed as Int32 words (undefined for other fields). */
  readonly storeBits: readonly (Int32Array | undefined)[];
  /** The last sent value (quantised fields: the integer q). */
  readonly sent: readonly (FieldArray | string[])[];
  /** Exact f32/f64 fields: {@link sent} viewed as Int32 words. */
  readonly sentBits: readonly (Int32Array | undefined)[];
  /** Quantised fields: the store's bits when last quantised (two words per entity for f64). */
  readonly seen: readonly (Int32Array | undefined)[];
  /** Quantised fields: this tick's q delta. */
  readonly delta: readonly (Float64Array | undefined)[];
  /**
   * Quantised fields: members whose store held NaN when the field was quantised, for the `onNaN`
   * report. A NaN has no q: the last sent one stands and nothing is sent for the field.
   */
  readonly nans: readonly (IdList | undefined)[];
  /** Per entity: bits of the fields that changed this tick. */
  readonly changed: Uint32Array;
  /** Per entity: 1 when it is a member (alive, with the component). */
  readonly member: Uint8Array;
}

function report(e: number, m: number, t: CompareTargets, sink: ChangeSink, componentBit: number): void {
  t.changed[e] = t.changed[e]! | m;
  sink.dirty[e] = sink.dirty[e]! | componentBit;
  const w = e >>> 5;
  const bits = sink.changed;
  bits.words[w] = bits.words[w]! | (1 << (e & 31));
  bits.summary[w >>> 5] = bits.summary[w >>> 5]! | (1 << (w & 31));
  bits.raise(w >>> 5);
}

/** q of a stored value, clamped to the field's range (±Infinity: its ends); NaN stays NaN. */
function quantizeStored(value: number, f: FieldLayout): number {
  const q = Math.round((value - f.offset) / f.step);
  if (q > f.maxQ) return f.maxQ;
  if (q < f.minQ) return f.minQ;
  return q;
}

/** The generic row compare: a loop over fields with a switch, for where code generation is refused. */
export function genericRowCompare(t: CompareTargets): Generated<RowCompare> {
  const { fields, kinds, storeBits, sent, sentBits, seen, delta, nans, member } = t;
  const run: RowCompare = (_context, list, n, sink, componentBit) => {
    let reported = 0;
    for (let i = 0; i < n; i++) {
      const e = list[i]!;
      let m = 0;
      for (let f = 0; f < fields.length; f++) {
        const bit = 2 ** f;
        switch (kinds[f]) {
          case CompareKind.Integer: {
            const store = fields[f]!.store as FieldArray;
            const shadow = sent[f] as FieldArray;
            if (store[e] !== shadow[e]) {
              shadow[e] = store[e]!;
              m |= bit;
            }
            break;
          }
          case CompareKind.Bits32: {
            const store = storeBits[f]!;
            const shadow = sentBits[f]!;
            if (store[e] !== shadow[e]) {
              shadow[e] = store[e]!;
              m |= bit;
            }
            break;
          }
          case CompareKind.Bits64: {
            const store = storeBits[f]!;
            const shadow = sentBits[f]!;
            if (store[2 * e] !== shadow[2 * e] || store[2 * e + 1] !== shadow[2 * e + 1]) {
              shadow[2 * e] = store[2 * e]!;
              shadow[2 * e + 1] = store[2 * e + 1]!;
              m |= bit;
            }
            break;
          }
          case CompareKind.Quantized32:
          case CompareKind.Quantized64: {
            const store = storeBits[f]!;
            const last = seen[f]!;
            if (kinds[f] === CompareKind.Quantized32) {
              if (store[e] === last[e]) break;
              last[e] = store[e]!;
            } else {
              if (store[2 * e] === last[2 * e] && store[2 * e + 1] === last[2 * e + 1]) break;
              last[2 * e] = store[2 * e]!;
              last[2 * e + 1] = store[2 * e + 1]!;
            }
            const q = quantizeStored((fields[f]!.store as FieldArray)[e]!, fields[f]!);
            if (Number.isNaN(q)) {
              if (member[e] !== 0) nans[f]!.push(e);
              break;
            }
            const shadow = sent[f] as Float64Array;
            if (q !== shadow[e]) {
              delta[f]![e] = q - shadow[e]!;
              shadow[e] = q;
              m |= bit;
            }
            break;
          }
          default: {
            const store = fields[f]!.store as string[];
            const shadow = sent[f] as string[];
            if (store[e] !== shadow[e]) {
              shadow[e] = store[e]!;
              m |= bit;
            }
          }
        }
      }
      if (m !== 0 && member[e] !== 0) {
        report(e, m, t, sink, componentBit);
        reported++;
      }
    }
    return reported;
  };
  return { run, context: {} as GeneratedContext };
}

/** A number as a source literal that reads back to exactly the same double. */
export function literal(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * The row compare specialised to one layout: one block per field with its arrays taken from the
 * server's context once per call (see generated-code.ts) and its quantisation constants inlined, no loop over fields, no switch.
 * Byte-for-byte the generic compare's effects (test/replication/compiled-encoders-match-
 * generic.test.ts and plain-writes-found.test.ts run both). `undefined` where code generation
 * is refused.
 */
export function compileRowCompare(t: CompareTargets): Generated<RowCompare> | undefined {
  const bound: Record<string, unknown> = { changed: t.changed, member: t.member };
  const body: string[] = [];
  t.fields.forEach((f, i) => {
    const bit = i === 31 ? '0x80000000' : String(2 ** i);
    const st = `st${i}`;
    const sb = `sb${i}`;
    const se = `se${i}`;
    const sn = `sn${i}`;
    const dl = `dl${i}`;
    switch (t.kinds[i]) {
      case CompareKind.Integer:
      case CompareKind.String:
        bound[st] = f.store;
        bound[se] = t.sent[i];
        body.push(`    v = ${st}[e]; if (v !== ${se}[e]) { ${se}[e] = v; m |= ${bit}; }`);
        break;
      case CompareKind.Bits32:
        bound[sb] = t.storeBits[i];
        bound[se] = t.sentBits[i];
        body.push(`    v = ${sb}[e]; if (v !== ${se}[e]) { ${se}[e] = v; m |= ${bit}; }`);
        break;
      case CompareKind.Bits64:
        bound[sb] = t.storeBits[i];
        bound[se] = t.sentBits[i];
        body.push(
          `    v = ${sb}[2 * e]; w = ${sb}[2 * e + 1]; if (v !== ${se}[2 * e] || w !== ${se}[2 * e + 1]) { ${se}[2 * e] = v; ${se}[2 * e + 1] = w; m |= ${bit}; }`,
        );
        break;
      default: {
        const nn = `nn${i}`;
        Object.assign(bound, { [st]: f.store, [sb]: t.storeBits[i], [sn]: t.seen[i], [se]: t.sent[i], [dl]: t.delta[i], [nn]: t.nans[i] });
        const changedBits =
          t.kinds[i] === CompareKind.Quantized32
            ? `v = ${sb}[e]; if (v !== ${sn}[e]) { ${sn}[e] = v;`
            : `v = ${sb}[2 * e]; w = ${sb}[2 * e + 1]; if (v !== ${sn}[2 * e] || w !== ${sn}[2 * e + 1]) { ${sn}[2 * e] = v; ${sn}[2 * e + 1] = w;`;
        body.push(
          `    ${changedBits} q = Math.round((${st}[e] - ${literal(f.offset)}) / ${literal(f.step)}); ` +
            `if (q > ${literal(f.maxQ)}) q = ${literal(f.maxQ)}; else if (q < ${literal(f.minQ)}) q = ${literal(f.minQ)}; ` +
            `if (q !== q) { if (member[e] !== 0) ${nn}.push(e); } ` +
            `else { last = ${se}[e]; if (q !== last) { ${dl}[e] = q - last; ${se}[e] = q; m |= ${bit}; } } }`,
        );
      }
    }
  });
  const source = [
    'function compareRows($, list, n, sink, componentBit) {',
    `  const { ${Object.keys(bound).join(', ')} } = $;`,
    '  const dirty = sink.dirty;',
    '  const words = sink.changed.words;',
    '  const bits = sink.changed;',
    '  const summary = bits.summary;',
    '  let reported = 0;',
    '  let v = 0, w = 0, q = 0, last = 0;',
    '  for (let i = 0; i < n; i++) {',
    '    const e = list[i];',
    '    let m = 0;',
    ...body,
    '    if (m !== 0 && member[e] !== 0) {',
    '      changed[e] |= m;',
    '      dirty[e] |= componentBit;',
    '      const k = e >>> 5;',
    '      words[k] |= 1 << (e & 31);',
    '      summary[k >>> 5] |= 1 << (k & 31);',
    '      if (k >>> 5 >= bits.top) bits.top = (k >>> 5) + 1;',
    '      reported++;',
    '    }',
    '  }',
    '  return reported;',
    '}',
  ].join('\n');
  return generate<RowCompare>({}, bound, source);
}
