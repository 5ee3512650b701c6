/**
 * A TCP relay in front of the demo server whose connections a test can cut without a close
 * handshake: what a dropped Wi-Fi link looks like to both ends (1006 on the client, an abnormal
 * close on the server), so the session-resume path runs over real sockets.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A running relay. */
export interface CuttableProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** Destroy every relayed connection at once, both sides. */
  cut(): void;
  close(): Promise<void>;
}

/** Relay `127.0.0.1:<new port>` to `127.0.0.1:targetPort`. */
export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A cut socket may report ECONNRESET; that is the point, not a test failure.
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
