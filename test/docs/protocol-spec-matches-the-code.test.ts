import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineComponent, defineMessage, defineProtocol, defineRequest, defineTag, t } from '../../engine-plugin/src/index';
import { fnv1a } from '../../engine-plugin/src/schema/protocol';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');

/** The lines of the first ```text block after `marker`. */
function textBlockAfter(marker: string): string[] {
  const at = doc.indexOf(marker);
  expect(at, `docs/protocol.md has "${marker}"`).toBeGreaterThan(-1);
  const block = /```text\n([\s\S]*?)\n```/.exec(doc.slice(at));
  expect(block, `a text block after "${marker}"`).not.toBeNull();
  return block![1]!.split('\n');
}

/** The hex fingerprint written in backticks right after `marker`. */
function fingerprintAfter(marker: string): number {
  const at = doc.indexOf(marker);
  const found = /`0x([0-9a-f]{8})`/.exec(doc.slice(at));
  return Number.parseInt(found![1]!, 16);
}

/** The pseudo-code of the spec, written out: FNV-1a over UTF-16 code units. */
function specFingerprint(lines: readonly string[]): number {
  const text = lines.join('\n');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

describe('docs/protocol.md, "Protocol description and fingerprint"', () => {
  it('prints the built-in description lines exactly as the code builds them, with their fingerprint', () => {
    const empty = defineProtocol({});
    expect(textBlockAfter('**Built-in description lines**')).toEqual(empty.description);
    expect(fingerprintAfter('its fingerprint is')).toBe(empty.fingerprint);
  });

  it('has test vectors that the code and the pseudo-code both reproduce', () => {
    const rows = [...doc.matchAll(/^\| (\(empty\)|`[^`]+`) \| `0x([0-9a-f]{8})` \|$/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const [, cell, hex] of rows) {
      const text = cell === '(empty)' ? '' : cell!.slice(1, -1);
      expect(fnv1a(text), text).toBe(Number.parseInt(hex!, 16));
      expect(specFingerprint([text]), text).toBe(Number.parseInt(hex!, 16));
    }
    // One vector leaves the BMP: UTF-16 code units, not UTF-8 bytes, are what is hashed.
    expect(rows.some(([, cell]) => /[\u{10000}-\u{10FFFF}]/u.test(cell!))).toBe(true);
  });

  it('shows an example protocol whose lines and fingerprint are the code’s', () => {
    const Move = defineMessage('move', { dx: t.i8({ min: -1, max: 1 }), dy: t.i8({ min: -1, max: 1 }) }, { direction: 'toServer', input: true });
    const Emote = defineMessage('emote', { kind: t.enum(['wave', 'bow']), target: t.optional(t.u32()) }, { direction: 'both' });
    const List = defineRequest('lobby.list', { page: t.u16() }, { rooms: t.array(t.object({ name: t.string({ maxBytes: 32 }), players: t.u8() }), { maxLength: 50 }) });
    const Body = defineComponent('body', {
      x: t.f32({ precision: 0.01, interpolate: true }),
      angle: t.f32({ min: -Math.PI, max: Math.PI, bits: 10, interpolate: 'angle' }),
      hp: t.u8({ max: 100 }),
      mass: t.f64({ min: 0, max: 1e21 }),
      tiny: t.f32({ precision: 0.0000005 }),
    });
    const Frozen = defineTag('frozen');
    const example = defineProtocol({ messages: [Move, Emote], requests: [List], components: [Frozen, Body] });
    const builtIn = defineProtocol({}).description;
    expect(doc).toContain("defineProtocol({ messages: [Move, Emote], requests: [List], components: [Frozen, Body] });");
    const lines = textBlockAfter('add these lines after the built-in ones');
    expect([...builtIn, ...lines]).toEqual(example.description);
    expect(fingerprintAfter('for the\nfingerprint')).toBe(example.fingerprint);
    expect(specFingerprint(example.description)).toBe(example.fingerprint);
  });
});
