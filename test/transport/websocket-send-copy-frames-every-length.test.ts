import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type WebSocketServerTransport, webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { bytes, recordingHost, until } from './recorders';

let server: WebSocketServerTransport | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Every WebSocket length form: 7-bit (0, 125), 16-bit (126, 65,535) and 64-bit (65,536, 70,000). */
const LENGTHS = [0, 1, 125, 126, 1000, 65_535, 65_536, 70_000];

async function connect(perMessageDeflate: boolean): Promise<{ client: WebSocket; received: Buffer[]; closed: Promise<number> }> {
  const host = recordingHost();
  server = webSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate });
  await server.start(host);
  const client = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { perMessageDeflate });
  const received: Buffer[] = [];
  client.binaryType = 'nodebuffer';
  client.on('message', (data: Buffer) => received.push(data));
  const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  await until(() => host.accepted.length === 1, 'the server to accept');
  const socket = host.accepted[0]!.socket;
  // One reused buffer, overwritten right after each sendCopy: what arrives must be what it held at the call.
  const reused = new Uint8Array(70_000);
  for (const [index, length] of LENGTHS.entries()) {
    reused.set(bytes(length, index));
    socket.sendCopy!(reused.subarray(0, length));
    reused.fill(0xee);
    // A plain send between them keeps its place in the stream.
    socket.send(bytes(3, 200 + index));
  }
  socket.close(4321, 'done');
  return { client, received, closed };
}

for (const perMessageDeflate of [false, true]) {
  it(`sendCopy delivers every frame length byte-exact, in order with send and before the close (permessage-deflate ${perMessageDeflate ? 'on' : 'off'})`, async () => {
    const { received, closed } = await connect(perMessageDeflate);
    expect(await closed).toBe(4321);
    expect(received).toHaveLength(LENGTHS.length * 2);
    for (const [index, length] of LENGTHS.entries()) {
      // Compared as Buffers: a deep toEqual over 70,000 elements is slow.
      expect(Buffer.compare(received[index * 2]!, bytes(length, index)), `message of ${length} bytes`).toBe(0);
      expect([...received[index * 2 + 1]!]).toEqual([...bytes(3, 200 + index)]);
    }
  });
}
