import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('the README', () => {
  it('shows docs/examples unchanged, so its examples are the type-checked ones', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const file of ['shared.ts', 'server.ts', 'client.ts', 'messaging.ts', 'matchmaking.ts', 'cluster.ts', 'netcode.ts', 'testing.ts', 'bandwidth.ts']) {
      const source = readFileSync(join(root, 'docs', 'examples', file), 'utf8').trimEnd();
      expect(readme, `README must contain docs/examples/${file}`).toContain('```ts\n' + source + '\n```');
    }
  });

  it('gives the two set-up commands', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
