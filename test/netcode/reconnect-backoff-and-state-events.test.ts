import { describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../engine-plugin/src/index';
import { createSim } from './harness';

describe('automatic reconnection', () => {
  it('retries with exponential backoff up to a maximum, reporting each state as an event', async () => {
    const sim = await createSim({ server: { resumeGraceMs: 60_000 } });
    const client = sim.client({ reconnect: { initialMs: 100, maxMs: 1000, random: () => 0 } });
    const events: ClientEvent[] = [];
    client.onFrame = () => events.push(...client.net.events());
    await sim.run(1000);
    expect(client.net.state).toBe('connected');
    const id = client.net.id;

    // The server goes away (nothing listening) and the link drops.
    const transport = sim.network.server();
    await transport.stop();
    client.link.disconnect();
    await sim.run(8000);
    const delays = events.filter((e) => e.type === 'reconnecting').map((e) => (e as { delayMs: number }).delayMs);
    expect(delays.slice(0, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(client.net.state).toBe('reconnecting');

    // Back: the next attempt resumes the same session.
    await transport.start(sim.server.endpoint);
    await sim.run(2000);
    expect(client.net.state).toBe('connected');
    expect(client.net.id).toBe(id);
    const states = events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state);
    expect(states[0]).toBe('connecting');
    expect(states[1]).toBe('connected');
    expect(states[2]).toBe('reconnecting');
    expect(states.at(-1)).toBe('connected');
    expect(new Set(states)).toEqual(new Set(['connecting', 'connected', 'reconnecting']));
    const connected = events.filter((e) => e.type === 'connected') as Extract<ClientEvent, { type: 'connected' }>[];
    expect(connected.map((e) => e.resumed)).toEqual([false, true]);
  });
});
