import { createServer as createHttpServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addComponent, addEntity, createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkClient, type NetworkServer, Networked, cloneProtocol, createClient, createServer, silentLogger } from '../../engine-plugin/src/index';
import { createHealth, createMetrics, nodeWebSocketClient, webSocketServer } from '../../engine-plugin/src/node';
import { Chat, Position, Shout, protocol } from '../support/chat-protocol';
import { waitFor } from '../support/rig';

function fetchText(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** The value of one sample line, e.g. `tickwire_connects_total{resumed="false"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus /metrics and /health', () => {
  let net: NetworkServer | undefined;
  let http: ReturnType<typeof createHttpServer> | undefined;
  afterEach(async () => {
    await net?.stop();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  });

  it('count connections, traffic by frame and message type, disconnect codes, RTT, tick time and entities', async () => {
    http = createHttpServer();
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    net = createServer(createWorld(), protocol, {
      transport: webSocketServer({ server: http }),
      logger: silentLogger,
      settings: { heartbeatIntervalMs: 20 },
    });
    const metrics = createMetrics(net, { processMetrics: false });
    const health = createHealth(net, { staleAfterMs: 500 });
    http.on('request', (req, res) => {
      if (metrics.handle(req, res) || health.handle(req, res)) return;
      res.writeHead(404).end();
    });
    // Before the first tick the server is live but not ready.
    expect((await fetchText(port, '/health/live')).status).toBe(200);
    expect((await fetchText(port, '/health')).status).toBe(503);
    await net.start();
    const server = net;
    const eid = addEntity(server.world);
    addComponent(server.world, eid, Position);
    addComponent(server.world, eid, Networked);
    const clients: NetworkClient[] = [0, 1].map(() =>
      createClient(createWorld(), cloneProtocol(protocol).protocol, { transport: nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`), logger: silentLogger, reconnect: false }),
    );
    for (const c of clients) c.connect();
    const step = () => {
      server.receive();
      for (const { source } of server.messages(Chat)) server.send(source, Shout, { text: 'hi', from: source.id });
      server.replicate();
      server.flush();
      for (const c of clients) {
        c.receive();
        c.flush();
      }
    };
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('timeout');
        await new Promise((r) => setTimeout(r, 5));
        step();
      }
    };
    await until(() => clients.every((c) => c.state === 'connected'));
    clients[0]!.send(Chat, { text: 'hello' });
    let shouts = 0;
    await until(() => {
      shouts += clients[0]!.messages(Shout).length;
      return shouts > 0;
    });
    for (let i = 0; i < 20; i++) {
      step();
      await new Promise((r) => setTimeout(r, 5));
    }
    server.disconnect(server.connection(clients[1]!.id)!);
    await until(() => clients[1]!.state === 'closed');
    step();

    const { status, body } = await fetchText(port, '/metrics');
    expect(status).toBe(200);
    expect(sample(body, 'tickwire_connections{state="active"}')).toBe(1);
    expect(sample(body, 'tickwire_connects_total{resumed="false"}')).toBe(2);
    expect(sample(body, 'tickwire_disconnects_total{code="4003",name="Kicked"}')).toBe(1);
    expect(sample(body, 'tickwire_messages_total{direction="in",type="chat"}')).toBe(1);
    expect(sample(body, 'tickwire_messages_total{direction="out",type="shout"}')).toBe(1);
    expect(sample(body, 'tickwire_message_bytes_total{direction="in",type="chat"}')).toBeGreaterThan(5);
    expect(sample(body, 'tickwire_bytes_total{direction="out",frame="tick"}')).toBeGreaterThan(0);
    expect(sample(body, 'tickwire_bytes_total{direction="in",frame="client"}')).toBeGreaterThan(0);
    expect(sample(body, 'tickwire_rtt_seconds_count')).toBeGreaterThan(0);
    expect(sample(body, 'tickwire_tick_duration_seconds_count')).toBeGreaterThan(20);
    expect(sample(body, 'tickwire_replicated_entities')).toBe(1);
    expect(sample(body, 'tickwire_queue_depth{queue="outbound"}')).toBe(0);
    expect(body).toContain('tickwire_backpressure_events_total');
    expect(body).toContain('tickwire_rate_limited_total');

    // Ticking: ready. Stopped ticking: not ready after staleAfterMs. Shutting down: not ready.
    expect((await fetchText(port, '/health/ready')).status).toBe(200);
    const report = JSON.parse((await fetchText(port, '/health')).body) as { ready: boolean; connections: number };
    expect(report).toMatchObject({ ready: true, connections: 1 });
    await new Promise((r) => setTimeout(r, 600));
    expect((await fetchText(port, '/health')).status).toBe(503);
    step();
    expect((await fetchText(port, '/health')).status).toBe(200);
    for (const c of clients) c.disconnect();
    await server.stop();
    net = undefined;
    await waitFor(() => true);
    expect(health.check().ready).toBe(false);
    metrics.dispose();
    health.dispose();
  });
});
