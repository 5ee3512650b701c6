import { request } from 'node:http';
import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkServer, createServer, silentLogger } from '../../engine-plugin/src/index';
import { type MetricsListener, createMetrics, listenForMetrics, webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a metrics listener apart from the game port', () => {
  let net: NetworkServer | undefined;
  let listener: MetricsListener | undefined;
  afterEach(async () => {
    await listener?.close();
    await net?.stop();
    net = undefined;
  });

  it('answers only with the bearer token, and a scrape flood renders the exposition at most once per interval', async () => {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    net = createServer(createWorld(), protocol, { transport, logger: silentLogger });
    await net.start();
    const metrics = createMetrics(net, { processMetrics: false, minIntervalMs: 60_000, bearerToken: 'scraper-secret' });
    let renders = 0;
    const render = metrics.registry.metrics.bind(metrics.registry);
    metrics.registry.metrics = () => {
      renders++;
      return render();
    };
    listener = await listenForMetrics([(req, res) => metrics.handle(req, res)], { port: 0 });
    expect(listener.port).not.toBe(transport.port);

    expect(await get(listener.port, '/metrics')).toBe(401);
    expect(await get(listener.port, '/metrics', { Authorization: 'Bearer wrong-secret!' })).toBe(401);
    const statuses = await Promise.all(Array.from({ length: 200 }, () => get(listener!.port, '/metrics', { Authorization: 'Bearer scraper-secret' })));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(renders).toBe(1);
    expect(await get(listener.port, '/elsewhere')).toBe(404);
  });
});
