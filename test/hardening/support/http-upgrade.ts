/** Raw HTTP upgrade requests, to see what a server answers before any WebSocket exists. */
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';

export interface UpgradeAnswer {
  /** 101 when upgraded, else the refusal's HTTP status. */
  readonly status: number;
  /** The selected subprotocol on a 101. */
  readonly protocol?: string;
  readonly body: string;
}

/** Send one WebSocket upgrade request and report the status; an upgraded socket is closed at once. */
export function upgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      const protocol = response.headers['sec-websocket-protocol'];
      resolve({ status: response.statusCode ?? 101, protocol: typeof protocol === 'string' ? protocol : undefined, body: '' });
    });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
