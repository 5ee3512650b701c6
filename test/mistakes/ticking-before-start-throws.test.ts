import { createWorld } from 'bitecs';
import { describe, expect, it } from 'vitest';
import { ManualClock, createMemoryNetwork, createServer, silentLogger } from '../../engine-plugin/src/index';
import { protocol } from '../support/chat-protocol';

function server() {
  const clock = new ManualClock();
  return createServer(createWorld(), protocol, { transport: createMemoryNetwork({ clock }).server(), clock, logger: silentLogger });
}

describe('a server ticked before start()', () => {
  it('throws at the first receive, naming the missing `await net.start()`', () => {
    expect(() => server().receive()).toThrow(/receive\(\) ran before start\(\).*await net\.start\(\)/);
  });

  it('ticks once start() was called, even before it resolved, and after stop()', async () => {
    const net = server();
    const started = net.start();
    net.receive();
    await started;
    net.receive();
    await net.stop();
    net.receive();
    expect(net.tick).toBe(3);
  });
});
