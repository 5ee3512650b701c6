import { describe, expect, it } from 'vitest';
import { type ClientEvent, defineMessage, defineProtocol, t } from '../../engine-plugin/src/index';
import { createSim } from './harness';

async function finalState(setup: 'kick' | 'auth' | 'mismatch'): Promise<{ events: ClientEvent[]; state: string }> {
  const sim = await createSim({ server: setup === 'auth' ? { authenticate: () => undefined } : {} });
  const other = defineProtocol({ messages: [defineMessage('something-else', { n: t.u8() })] });
  const client = sim.client({
    reconnect: { initialMs: 50, random: () => 0 },
    ...(setup === 'mismatch' ? { protocol: other } : {}),
  });
  const events: ClientEvent[] = [];
  client.onFrame = () => events.push(...client.net.events());
  await sim.run(1000);
  if (setup === 'kick') {
    const connection = sim.server.connection(client.net.id)!;
    sim.server.disconnect(connection);
  }
  await sim.run(5000);
  return { events, state: client.net.state };
}

describe('final close codes', () => {
  it.each([
    ['kick', 4003],
    ['auth', 4001],
    ['mismatch', 4006],
  ] as const)('after %s (%i) the client closes and never retries', async (setup, code) => {
    const { events, state } = await finalState(setup);
    expect(state).toBe('closed');
    expect(events.filter((e) => e.type === 'reconnecting')).toEqual([]);
    const disconnected = events.filter((e) => e.type === 'disconnected') as Extract<ClientEvent, { type: 'disconnected' }>[];
    expect(disconnected.map((e) => [e.code, e.willRetry])).toEqual([[code, false]]);
  });
});
