import { MAX_NAME_BYTES, MAX_NAME_GRAPHEMES, cleanName } from '@tickwire/demo-shared';
import { describe, expect, it } from 'vitest';

describe('player names (the demo\'s shared rules)', () => {
  it('are NFC: a decomposed é becomes the composed one', () => {
    expect(cleanName('Ame\u0301lie')).toBe('Am\u00e9lie');
  });

  it('lose right-to-left overrides, isolates, zero-width characters and the BOM', () => {
    expect(cleanName('ad\u202Enimh\u202C')).toBe('adnimh');
    expect(cleanName('\u2067evil\u2069\u200B\u200C\u200D\uFEFF\u200E\u200Fname')).toBe('evilname');
    expect(cleanName('\u200B\u200B')).toBe('player');
  });

  it('lose control characters and collapse whitespace', () => {
    expect(cleanName('  a\u0000b\u0007\tc\u2028d  ')).toBe('ab c d');
  });

  it('are cut in whole grapheme clusters, never inside one', () => {
    const flags = '🇫🇷'.repeat(20);
    const cut = cleanName(flags);
    expect([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(cut)].every((g) => g.segment === '🇫🇷')).toBe(true);
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(MAX_NAME_BYTES);
    const accents = 'e\u0301'.repeat(40);
    expect(cleanName(accents)).toBe('\u00e9'.repeat(12));
    expect([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(cleanName('x'.repeat(40)))]).toHaveLength(MAX_NAME_GRAPHEMES);
  });
});
