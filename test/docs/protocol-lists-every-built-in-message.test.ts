import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEM_MESSAGES } from '../../engine-plugin/src/schema/system-messages';

const protocolDoc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');

describe('docs/protocol.md', () => {
  it('lists every built-in message under its id, so the spec stays true when one is added', () => {
    SYSTEM_MESSAGES.forEach((message, id) => {
      expect(protocolDoc, `row for ${message.name}`).toContain(`| ${id} | \`${message.name}\` |`);
    });
  });
});
