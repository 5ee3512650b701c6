import { createWorld } from 'bitecs';
import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  cloneProtocol,
  createClient,
  createMemoryNetwork,
  createServer,
  defineComponent,
  defineMessage,
  defineProtocol,
  silentLogger,
  t,
} from '../../engine-plugin/src/index';

function game() {
  const Position = defineComponent('position', { x: t.f32() });
  const protocol = defineProtocol({ messages: [], components: [Position] });
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock });
  const server = () => createServer(createWorld(), protocol, { transport: network.server(), clock, logger: silentLogger });
  const client = (own = protocol) => createClient(createWorld(), own, { transport: network.client(), clock, logger: silentLogger, reconnect: false });
  return { protocol, server, client };
}

describe('a client and a server sharing one protocol object in one process', () => {
  it('is refused when the client is created, naming cloneProtocol', () => {
    const { server, client } = game();
    server();
    expect(() => client()).toThrow(/component position is already used by a server in this process.*cloneProtocol\(protocol\)\.protocol/);
  });

  it('is refused the other way round too', () => {
    const { server, client } = game();
    client();
    expect(() => server()).toThrow(/component position is already used by a client in this process/);
  });

  it('is fine with a cloned protocol, and once the other side is gone', async () => {
    const { protocol, server, client } = game();
    const net = server();
    client(cloneProtocol(protocol).protocol);
    await net.stop();
    const lone = client();
    lone.disconnect();
    expect(() => server()).not.toThrow();
  });

  it('is fine for a protocol without component stores (messages only)', () => {
    const Chat = defineMessage('chat', { text: t.string({ maxBytes: 8 }) });
    const protocol = defineProtocol({ messages: [Chat], components: [] });
    const clock = new ManualClock();
    const network = createMemoryNetwork({ clock });
    createServer(createWorld(), protocol, { transport: network.server(), clock, logger: silentLogger });
    expect(() => createClient(createWorld(), protocol, { transport: network.client(), clock, logger: silentLogger })).not.toThrow();
  });
});
