import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../server/src/index';
import { createLog } from '../../server/src/log';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What one `info` event looks like on a stream that is (or is not) a terminal. */
function logged(format: 'auto' | 'pretty' | 'json', isTTY: boolean): string {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk));
  createLog('info', format, stream).info({ port: 8080 }, 'demo server listening');
  return stripVTControlCharacters(text);
}

describe('the demo server log', () => {
  it('is one readable line per event on a terminal, with the fields after the message', () => {
    const line = logged('auto', true);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: demo server listening \{"port":8080\}\n$/);
  });

  it('is a JSON line when the output is not a terminal, or when asked with LOG_FORMAT=json', () => {
    for (const line of [logged('auto', false), logged('json', true)]) {
      expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'demo server listening', port: 8080, service: 'tickwire-demo' });
    }
    expect(logged('pretty', false)).toMatch(/^\[[\d:.]+\] INFO: demo server listening/);
  });

  it('takes --log-format over LOG_FORMAT, and refuses an unknown format', () => {
    expect(parseCommandLine(['--log-format', 'json'], { LOG_FORMAT: 'pretty' })).toMatchObject({ config: { logFormat: 'json' } });
    expect(parseCommandLine([], { LOG_FORMAT: 'pretty' })).toMatchObject({ config: { logFormat: 'pretty' } });
    expect(() => parseCommandLine(['--log-format', 'xml'], {})).toThrow('log format must be one of auto, pretty, json, got "xml"');
  });

  it('prints readable lines when the server runs in a real terminal (a pty from script(1))', async () => {
    const command = `${ROOT}node_modules/.bin/tsx server/src/main.ts --port 0 --host 127.0.0.1 --bots 0 --orbs 0`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line within 15 s:\n${output}`)), 15_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk;
          const found = stripVTControlCharacters(output).split(/\r?\n/).find((l) => l.includes('demo server listening'));
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: demo server listening \{"port":\d+,/);
    } finally {
      // Ctrl-C in the terminal: the server shuts down gracefully and script(1) exits with it.
      child.stdin.write('\x03');
      await exited;
    }
  }, 25_000);
});
