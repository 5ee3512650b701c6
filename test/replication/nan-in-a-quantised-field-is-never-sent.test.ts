import { addComponent, addEntity, createWorld } from 'bitecs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type NaNValue,
  type NetworkClient,
  type NetworkServer,
  Networked,
  cloneProtocol,
  createClient,
  createMemoryNetwork,
  createServer,
  defineComponent,
  defineProtocol,
  silentLogger,
  t,
} from '../../engine-plugin/src/index';

const Aim = defineComponent('aim', {
  angle: t.f32({ min: -Math.PI, max: Math.PI, bits: 12 }),
  x: t.f32({ precision: 0.01 }),
  raw: t.f64(),
});
const protocol = defineProtocol({ components: [Aim] });

/** The client's own copy of Aim (a cloned protocol: its own stores). */
const clientAim = (client: NetworkClient): typeof Aim => client.protocol.components[0] as typeof Aim;

describe('NaN, ±Infinity and out-of-range values in replicated fields', () => {
  let server: NetworkServer | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await server?.stop();
    server = undefined;
  });

  async function start(onNaN?: (value: NaNValue) => void): Promise<{ server: NetworkServer; client: NetworkClient; step: () => void }> {
    const network = createMemoryNetwork();
    const s = createServer(createWorld(), protocol, { transport: network.server(), logger: silentLogger, replication: onNaN ? { onNaN } : {} });
    server = s;
    await s.start();
    const copy = cloneProtocol(protocol).protocol;
    const client = createClient(createWorld(), copy, { transport: network.client(), logger: silentLogger, reconnect: false });
    client.connect();
    const step = (): void => {
      s.receive();
      s.replicate();
      s.flush();
      client.receive();
      client.flush();
    };
    for (let i = 0; i < 200 && client.state !== 'connected'; i++) {
      step();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(client.state).toBe('connected');
    return { server: s, client, step };
  }

  async function settle(step: () => void): Promise<void> {
    for (let i = 0; i < 10; i++) {
      step();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  function spawn(s: NetworkServer, angle: number, x: number, raw: number): number {
    const eid = addEntity(s.world);
    addComponent(s.world, eid, Aim);
    Aim.angle[eid] = angle;
    Aim.x[eid] = x;
    Aim.raw[eid] = raw;
    addComponent(s.world, eid, Networked);
    return eid;
  }

  it('in development, replicate() throws a TypeError naming the entity, component and field', async () => {
    const { server: s, client, step } = await start();
    const eid = spawn(s, 1, 1, 1);
    await settle(step);
    Aim.angle[eid] = Number.NaN;
    s.receive();
    expect(() => s.replicate()).toThrow(new RegExp(`aim\\.angle of entity ${eid} is NaN`));
    // The tick's work was complete when it threw: the game can carry on, and nothing was sent.
    s.flush();
    Aim.angle[eid] = 0.5;
    await settle(step);
    const local = client.localId(eid)!;
    expect(client.authoritative(clientAim(client), local)!.angle).toBeCloseTo(0.5, 2);
  });

  it('in production, a NaN is not sent: the client keeps the last value, and one warning names the field', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { server: s, client, step } = await start();
    const eid = spawn(s, 1, 2.5, 3);
    await settle(step);
    const local = client.localId(eid)!;
    Aim.angle[eid] = Number.NaN;
    Aim.x[eid] = Number.NaN;
    Aim.raw[eid] = Number.NaN;
    await settle(step);
    const seen = client.authoritative(clientAim(client), local)!;
    expect(seen.angle).toBeCloseTo(1, 2); // not the range's minimum, −π
    expect(seen.x).toBeCloseTo(2.5, 5);
    expect(Number.isNaN(seen.raw)).toBe(true); // a plain float carries NaN as it is
    expect(warn).toHaveBeenCalledTimes(2); // once per quantised field, however many ticks
    expect(String(warn.mock.calls[0]![0])).toContain(`aim.angle of entity ${eid} is NaN`);
  });

  it('a new entity with NaN arrives with the representable value nearest 0; ±Infinity and out-of-range values are clamped to the range', async () => {
    const reported: NaNValue[] = [];
    const { server: s, client, step } = await start((value) => reported.push(value));
    const nan = spawn(s, Number.NaN, Number.NaN, 0);
    const high = spawn(s, Number.POSITIVE_INFINITY, 1e300, Number.POSITIVE_INFINITY);
    const low = spawn(s, -10, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
    await settle(step);
    expect(reported).toEqual([
      { eid: nan, component: 'aim', field: 'angle' },
      { eid: nan, component: 'aim', field: 'x' },
    ]);
    const step12 = (2 * Math.PI) / 4095;
    const at = (eid: number) => client.authoritative(clientAim(client), client.localId(eid)!)!;
    expect(Math.abs(at(nan).angle as number)).toBeLessThanOrEqual(step12 / 2 + 1e-6);
    expect(at(nan).x).toBe(0);
    expect(at(high).angle).toBeCloseTo(Math.PI, 5);
    expect(at(low).angle).toBeCloseTo(-Math.PI, 5);
    // A { precision } field's range is |q| ≤ 2^48.
    expect(at(high).x).toBeCloseTo(2 ** 48 * 0.01, -2);
    expect(at(low).x).toBeCloseTo(-(2 ** 48) * 0.01, -2);
    expect(at(high).raw).toBe(Number.POSITIVE_INFINITY);
    expect(at(low).raw).toBe(Number.NEGATIVE_INFINITY);
  });
});
