import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { inspect } from '../../engine-plugin/src/inspect/inspector';
import { Position, Shout, protocol } from '../support/chat-protocol';
import { type WsRig, startWsRig } from './support/ws-rig';

const root = join(import.meta.dirname, '..', '..');

describe('the protocol inspector', () => {
  let rig: WsRig;
  let ticking: ReturnType<typeof setInterval> | undefined;
  afterEach(async () => {
    clearInterval(ticking);
    await rig?.close();
  });

  async function liveServer(): Promise<WsRig> {
    rig = await startWsRig(protocol);
    const world = rig.server.world;
    const eid = addEntity(world);
    addComponent(world, eid, Position);
    Position.x[eid] = 1.5;
    Position.y[eid] = -2;
    addComponent(world, eid, Networked);
    let n = 0;
    ticking = setInterval(() => {
      n++;
      rig.server.receive();
      if (n % 3 === 0) Position.x[eid] = 1.5 + n / 100;
      for (const e of rig.server.events()) if (e.type === 'connected') rig.server.send(e.connection, Shout, { text: 'hello', from: 7 });
      rig.server.replicate();
      rig.server.flush();
    }, 10);
    return rig;
  }

  it('discovers the protocol from the server, completes the handshake and prints messages and state as lines', async () => {
    await liveServer();
    const lines: string[] = [];
    const result = await inspect({ url: `ws://127.0.0.1:${rig.port}/ws`, print: (line) => lines.push(line), maxTicks: 8 });
    const text = lines.join('\n');
    expect(text).toMatch(/^protocol: \d+ message types and 1 components, from the server's description/m);
    expect(text).toMatch(/^welcome connection=\d+ tickRate=20 /m);
    expect(text).toMatch(/^tick \d+ lastInput=0 ack=0 inputQueue=0 bytes=\d+$/m);
    expect(text).toContain('  message shout {"text":"hello","from":7}');
    expect(text).toMatch(/^ {2}spawn \d+ position\{x=1\.5\d* y=-2\}$/m);
    expect(text).toMatch(/^ {2}change \d+ position\{x=1\.\d+ y=-2\}$/m);
    expect(lines.at(-1)).toBe('closed 1000 Normal "inspector done"');
    expect(result.ticks).toBe(8);
  });

  it('runs as `npx tickwire inspect <url> --protocol <module>`', async () => {
    await liveServer();
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        'npx',
        ['tickwire', 'inspect', `ws://127.0.0.1:${rig.port}/ws`, '--protocol', 'test/support/chat-protocol.ts', '--ticks', '3'],
        { cwd: root, timeout: 30_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    expect(output).not.toContain('protocol:');
    expect(output).toMatch(/^welcome connection=\d+ /m);
    expect(output).toContain('message shout {"text":"hello","from":7}');
    expect(output).toMatch(/spawn \d+ position\{x=/);
    expect(output.trim().split('\n').at(-1)).toBe('closed 1000 Normal "inspector done"');
  });
});
