import { expect, it } from 'vitest';
import { ManualClock } from '../../engine-plugin/src/transport/clock';
import { createMemoryNetwork } from '../../engine-plugin/src/transport/memory';
import type { Admission } from '../../engine-plugin/src/transport/transport';
import { recorder, recordingHost } from './recorders';

it('refuses through admit like the ws server: the client closes 1006 with the HTTP status, accept is never called', async () => {
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock });
  const host = recordingHost(() => ({ accept: false, status: 401, reason: 'bad token' }));
  await network.server().start(host);

  const onClient = recorder();
  network.client({ url: '/ws?token=x', conditions: { latencyMs: 10 } }).open(onClient);
  clock.advance(19);
  expect(onClient.closes).toEqual([]);
  clock.advance(1);
  expect(onClient.opens).toBe(0);
  expect(onClient.closes).toEqual([{ code: 1006, reason: 'Unexpected server response: 401 bad token' }]);
  expect(host.requests).toHaveLength(1);
  expect(host.accepted).toEqual([]);
});

it('hands admit the request the client presents, and selects the admitted subprotocol', async () => {
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock });
  const host = recordingHost(() => ({ accept: true, identity: 'p1', protocol: 'tickwire.v1' }));
  await network.server().start(host);

  const socket = network
    .client({ url: '/ws?room=3', headers: { Authorization: 'Bearer t' }, protocols: ['token.t', 'tickwire.v1'], remoteAddress: '10.0.0.7' })
    .open(recorder());
  clock.advance(0);
  expect(host.requests).toEqual([
    { url: '/ws?room=3', headers: { authorization: 'Bearer t' }, remoteAddress: '10.0.0.7', protocols: ['token.t', 'tickwire.v1'] },
  ]);
  expect(host.accepted[0]!.admission).toEqual({ accept: true, identity: 'p1', protocol: 'tickwire.v1' });
  expect(socket.protocol).toBe('tickwire.v1');
});

it('waits for an asynchronous admit, and does not accept a client that left meanwhile', async () => {
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock });
  const pending: ((admission: Admission) => void)[] = [];
  const host = recordingHost(() => new Promise<Admission>((resolve) => pending.push(resolve)));
  await network.server().start(host);
  const transport = network.client();

  const patient = recorder();
  transport.open(patient);
  const impatient = recorder();
  const leaving = transport.open(impatient);
  clock.advance(0);
  expect(pending).toHaveLength(2);
  leaving.close(1000, 'bored');
  clock.advance(0);
  expect(impatient.closes).toEqual([{ code: 1006, reason: 'closed before open' }]);

  for (const admit of pending) admit({ accept: true, identity: null });
  await Promise.resolve();
  clock.advance(0);
  expect(patient.opens).toBe(1);
  expect(impatient.opens).toBe(0);
  expect(host.accepted).toHaveLength(1);
});

it('fails connections with 1006 when no server is started, and after it stops', async () => {
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock });
  const before = recorder();
  network.client().open(before);
  clock.advance(0);
  expect(before.closes).toEqual([{ code: 1006, reason: 'connection refused' }]);

  const host = recordingHost();
  await network.server().start(host);
  await network.server().stop();
  const after = recorder();
  network.client().open(after);
  clock.advance(0);
  expect(after.closes).toEqual([{ code: 1006, reason: 'connection refused' }]);
  expect(host.requests).toEqual([]);
});
