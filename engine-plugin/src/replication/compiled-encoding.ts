import type { ComponentShadow } from './change-detection.js';
import { type Generated, type GeneratedContext, generate } from './generated-code.js';
import { FieldCode } from './component-layout.js';
import { putBoundedString, putF32, putF64, putVarint } from './raw-bytes.js';

/**
 * Writes one component's changed fields of `eid` at `pos` (quantised ones as zigzag q deltas, the
 * rest as their sent values) and clears the entity's changed mask; returns the position after.
 * The caller has reserved the component's worst case.
 */
export type ChangedFieldsWriter = (context: GeneratedContext, buf: Uint8Array, pos: number, eid: number) => number;

/**
 * Writes a whole update record of an entity whose only component this is (and which has at most
 * 31 fields): id gap, field mask, changed fields; stores the body's offset in `bodyAt[eid]` and
 * clears the changed mask; returns the position after. The caller has reserved the worst case.
 */
export type UpdateRecordWriter = (context: GeneratedContext, buf: Uint8Array, pos: number, gap: number, eid: number, bodyAt: Int32Array) => number;

const constants = { putVarint, putF32, putF64, putBoundedString };

/** The bound arrays and per-field source lines both generated writers share. */
function fieldWriters(shadow: ComponentShadow): { bound: Record<string, unknown>; lines: string[] } {
  const bound: Record<string, unknown> = { changed: shadow.changed };
  const lines: string[] = [];
  shadow.layout.fields.forEach((f, i) => {
    const bit = 2 ** i;
    const sent = `$.s${i}`;
    bound[`s${i}`] = shadow.sent[i];
    const test = i === 31 ? '(m & 0x80000000) !== 0' : `(m & ${bit}) !== 0`;
    let body: string;
    switch (f.code) {
      case FieldCode.U8:
        body = `buf[p++] = ${sent}[e];`;
        break;
      case FieldCode.Bool:
        body = `buf[p++] = ${sent}[e] === 0 ? 0 : 1;`;
        break;
      case FieldCode.I8:
        body = `buf[p++] = ${sent}[e] & 0xff;`;
        break;
      case FieldCode.U16:
      case FieldCode.U32:
        body = `v = ${sent}[e]; if (v < 0x80) buf[p++] = v; else p = putVarint(buf, p, v);`;
        break;
      case FieldCode.I16:
      case FieldCode.I32:
        body = `v = ${sent}[e]; v = v >= 0 ? v * 2 : -v * 2 - 1; if (v < 0x80) buf[p++] = v; else p = putVarint(buf, p, v);`;
        break;
      case FieldCode.Quantized: {
        const delta = `$.d${i}`;
        bound[`d${i}`] = shadow.delta[i];
        body = `v = ${delta}[e]; v = v >= 0 ? v * 2 : -v * 2 - 1; if (v < 0x80) buf[p++] = v; else p = putVarint(buf, p, v);`;
        break;
      }
      case FieldCode.F32:
        body = `p = putF32(buf, p, ${sent}[e]);`;
        break;
      case FieldCode.F64:
        body = `p = putF64(buf, p, ${sent}[e]);`;
        break;
      default:
        body = `p = putBoundedString(buf, p, ${sent}[e] ?? '', ${f.maxBytes});`;
    }
    lines.push(`  if (${test}) { ${body} }`);
  });
  return { bound, lines };
}

/**
 * A {@link ChangedFieldsWriter} specialised to one component's layout: one `if` per field on a
 * constant bit, the field's arrays read from the server's context (see generated-code.ts),
 * quantisation deltas zigzagged and one-byte varints written inline — no loop over mask bits, no
 * switch on a field code, no lookups through the shadow. avsc and protobufjs generate their record writers the same way. Built with
 * `new Function`; `undefined` where code generation is refused (a Content-Security-Policy without
 * 'unsafe-eval'), and the caller keeps the generic writer.
 */
export function compileChangedFields(shadow: ComponentShadow): Generated<ChangedFieldsWriter> | undefined {
  const { bound, lines } = fieldWriters(shadow);
  const source = ['function changedFields($, buf, pos, e) {', '  const changed = $.changed;', '  const m = changed[e];', '  changed[e] = 0;', '  let p = pos;', '  let v = 0;', ...lines, '  return p;', '}'];
  return generate<ChangedFieldsWriter>(constants, bound, source.join('\n'));
}

/**
 * An {@link UpdateRecordWriter} for one layout: the id gap and the mask inline, then the same
 * field code as {@link compileChangedFields}, in one call per changed entity. `undefined` where
 * code generation is refused.
 */
export function compileUpdateRecord(shadow: ComponentShadow): Generated<UpdateRecordWriter> | undefined {
  const { bound, lines } = fieldWriters(shadow);
  const source = [
    'function updateRecord($, buf, pos, gap, e, bodyAt) {',
    '  let p = pos;',
    '  if (gap < 0x80) buf[p++] = gap; else p = putVarint(buf, p, gap);',
    '  bodyAt[e] = p;',
    '  const changed = $.changed;',
    '  const m = changed[e];',
    '  changed[e] = 0;',
    '  if (m < 0x80) buf[p++] = m; else p = putVarint(buf, p, m);',
    '  let v = 0;',
    ...lines,
    '  return p;',
    '}',
  ];
  return generate<UpdateRecordWriter>(constants, bound, source.join('\n'));
}
