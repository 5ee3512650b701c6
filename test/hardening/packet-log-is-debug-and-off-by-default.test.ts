import { afterEach, describe, expect, it } from 'vitest';
import { type LogFields, type Logger, packetLog } from '../../engine-plugin/src/index';
import { Chat, protocol } from '../support/chat-protocol';
import { type ManualRig, startManualRig } from './support/manual-rig';

function capturingLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: LogFields }> } {
  const lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
  const at = (level: string) => (message: string, fields?: LogFields) => lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('structured logs', () => {
  let rig: ManualRig;
  afterEach(() => rig?.close());

  async function chatOnce(logger: Logger, withPacketLog: boolean) {
    rig = await startManualRig(protocol, { logger, ...(withPacketLog ? { observer: packetLog(logger) } : {}) });
    const client = rig.client();
    client.connect();
    await rig.stepUntil(() => client.state === 'connected');
    client.send(Chat, { text: 'hi' });
    await rig.stepUntil(() => rig.server.messages(Chat).length === 1);
  }

  it('logs lifecycle events as structured lines, and no per-packet lines by default', async () => {
    const logger = capturingLogger();
    await chatOnce(logger, false);
    expect(logger.lines.find((l) => l.message === 'connected')?.fields).toMatchObject({ connection: 1 });
    expect(logger.lines.filter((l) => l.message.startsWith('frame') || l.message.startsWith('message '))).toHaveLength(0);
  });

  it('packetLog adds a debug line per frame and message, with connection, kind/type and size', async () => {
    const logger = capturingLogger();
    await chatOnce(logger, true);
    const frames = logger.lines.filter((l) => l.message === 'frame in' || l.message === 'frame out');
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.every((l) => l.level === 'debug')).toBe(true);
    expect(logger.lines.find((l) => l.message === 'message in')?.fields).toMatchObject({ connection: 1, type: 'chat' });
    expect(frames.some((l) => l.fields?.kind === 'Client')).toBe(true);
  });
});
