import type { ByteReader } from '../protocol/bytes.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { FieldCode, type FieldLayout } from './component-layout.js';
import { type FieldTargets, readString } from './field-decoding.js';
import { type Generated, type GeneratedContext, generate } from './generated-code.js';
import { getVarintLong } from './raw-bytes.js';

/**
 * Reads the update values of the fields in `mask` at `pos` into one component's targets, as
 * {@link readFieldsFast} does (the caller has checked the record's worst case fits); returns the
 * position after the last value.
 */
export type FieldsReader = (context: GeneratedContext, r: ByteReader, buf: Uint8Array, pos: number, mask: number, e: number, local: number, out: Float64Array) => number;

/** A number as a source literal that reads back to exactly the same double. */
function literal(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * A {@link FieldsReader} specialised to one component layout — one `if` per field on a constant
 * bit, ranges, steps and offsets inlined as literals, the arrays read from the client's context
 * (see generated-code.ts) — with
 * exactly the checks, errors and arithmetic of the generic reader (test/replication/
 * compiled-decoders-match-generic.test.ts). One function per layout source, so every client in a
 * page shares one optimised function. `undefined` where code generation is refused (CSP without
 * 'unsafe-eval'): the caller keeps the generic reader.
 */
export function compileFieldsReader(fields: readonly FieldLayout[], state: FieldTargets): Generated<FieldsReader> | undefined {
  const bound: Record<string, unknown> = { fields };
  const lines = ['function readFields($, r, buf, pos, mask, e, local, out) {', '  let v = 0;', '  let value = 0;'];
  const varint = ['v = buf[pos];', 'if (v < 0x80) pos++;', 'else { pos = getVarintLong(buf, pos, out); v = out[0]; }'].join(' ');
  // A zigzag varint into `v`, decoded: a one-byte one with integer operations (no branch on its
  // sign, which the predictor cannot learn when values move both ways), a longer one (up to
  // 2^53) in doubles.
  const zigzagVarint = [
    'v = buf[pos];',
    'if (v < 0x80) { pos++; v = (v >>> 1) ^ -(v & 1); }',
    'else { pos = getVarintLong(buf, pos, out); v = out[0]; v = v % 2 === 0 ? v / 2 : -(v + 1) / 2; }',
  ].join(' ');
  fields.forEach((f, i) => {
    const test = i === 31 ? '(mask & 0x80000000) !== 0' : `(mask & ${2 ** i}) !== 0`;
    const vals = `$.v${i}`;
    const store = `$.s${i}`;
    bound[`v${i}`] = state.values[i];
    bound[`s${i}`] = f.store;
    const put = `${vals}[e] = value; ${store}[local] = value;`;
    const name = JSON.stringify(f.name);
    let body: string;
    switch (f.code) {
      case FieldCode.U8:
        body = `value = buf[pos++]; ${put}`;
        break;
      case FieldCode.Bool:
        body = `value = buf[pos++]; if (value > 1) throw new ProtocolError('bool ' + ${name} + ' holds ' + value); ${put}`;
        break;
      case FieldCode.I8:
        body = `value = (buf[pos++] << 24) >> 24; ${put}`;
        break;
      case FieldCode.U16:
      case FieldCode.U32:
      case FieldCode.I16:
      case FieldCode.I32: {
        const signed = f.code === FieldCode.I16 || f.code === FieldCode.I32;
        body =
          `${signed ? zigzagVarint : varint} value = v; ` +
          `if (value < ${literal(f.min)} || value > ${literal(f.max)}) throw new ProtocolError(${name} + ' value ' + value + ' is out of range'); ${put}`;
        break;
      }
      case FieldCode.Quantized: {
        const qs = `$.q${i}`;
        bound[`q${i}`] = state.quantized[i];
        body =
          `${zigzagVarint} const q = ${qs}[e] + v; ` +
          `if (q < ${literal(f.minQ)} || q > ${literal(f.maxQ)}) throw new ProtocolError(${name} + ' quantised value ' + q + ' is out of range'); ` +
          `${qs}[e] = q; value = q * ${literal(f.step)} + ${literal(f.offset)}; ${put}`;
        break;
      }
      case FieldCode.F32:
        body = `r.offset = pos; value = r.f32(); pos = r.offset; ${put}`;
        break;
      case FieldCode.F64:
        body = `r.offset = pos; value = r.f64(); pos = r.offset; ${put}`;
        break;
      default:
        body = `r.offset = pos; readString(r, $.fields[${i}], ${vals}, e, local); pos = r.offset;`;
    }
    lines.push(`  if (${test}) { ${body} }`);
  });
  lines.push('  return pos;', '}');
  return generate<FieldsReader>({ ProtocolError, getVarintLong, readString }, bound, lines.join('\n'));
}
