/** A hand-driven binary session over a real `ws` socket: Hello out, Welcome in, close recorded. */
import WebSocket from 'ws';
import { type Protocol, PROTOCOL_VERSION } from '../../../engine-plugin/src/index';
import { ByteReader, FrameKind, decodeWelcome, encodeHello } from '../../../engine-plugin/src/protocol';

export interface RawSession {
  readonly ws: WebSocket;
  /** Decoded Welcome, once it came. */
  welcome?: { connectionId: number; sessionToken: string; resumed: boolean };
  /** Frames after the Welcome (Tick, Ping…), counted by kind byte. */
  readonly frames: number[];
  closed?: { code: number; reason: string };
  /** HTTP status of a refused upgrade. */
  refused?: number;
}

export interface RawSessionOptions {
  readonly resumeToken?: string;
  readonly path?: string;
  /** Local address to connect from (any 127.0.0.0/8 address is this machine). */
  readonly localAddress?: string;
  /** Extra upgrade headers (X-Forwarded-For…). */
  readonly headers?: Record<string, string>;
  /** Do not send Hello (a silent socket). */
  readonly silent?: boolean;
}

/** Open a socket and (unless silent) say Hello; resolves once it opened or was refused. */
export function rawSession(port: number, protocol: Protocol, options: RawSessionOptions = {}): Promise<RawSession> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${options.path ?? '/ws'}`, { localAddress: options.localAddress, headers: options.headers });
  const session: RawSession = { ws, frames: [] };
  ws.on('error', () => {});
  ws.on('close', (code, reason) => {
    session.closed ??= { code, reason: reason.toString() };
  });
  ws.on('message', (data: Buffer) => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (!session.welcome && bytes[0] === FrameKind.Welcome) {
      const w = decodeWelcome(new ByteReader(bytes, 1));
      session.welcome = { connectionId: w.connectionId, sessionToken: w.sessionToken, resumed: w.resumed };
    } else session.frames.push(bytes[0]!);
  });
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_request, response) => {
      session.refused = response.statusCode;
      resolve(session);
    });
    ws.on('open', () => {
      if (!options.silent) ws.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: options.resumeToken ?? '', received: 0 }));
      resolve(session);
    });
    ws.on('close', () => resolve(session));
  });
}

/** Poll until `condition` holds; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
