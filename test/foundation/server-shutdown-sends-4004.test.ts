import { describe, expect, it } from 'vitest';
import { Shout, protocol } from '../support/chat-protocol';
import { TRANSPORTS, startRig, waitFor } from '../support/rig';

describe.each(TRANSPORTS)('over %s: graceful shutdown', (kind) => {
  it('delivers queued messages, then closes every client with 4004', async () => {
    const rig = await startRig(kind, protocol);
    const clients = [rig.client(), rig.client(), rig.client()];
    for (const c of clients) c.connect();
    await rig.until(() => clients.every((c) => c.state === 'connected'));
    rig.server.broadcast(Shout, { text: 'bye', from: 0 });
    await rig.server.stop('maintenance');
    const codes: number[] = [];
    const lastWords: string[] = [];
    await waitFor(() => {
      for (const c of clients) {
        c.receive();
        lastWords.push(...c.messages(Shout).map((m) => m.text));
        for (const e of c.events()) if (e.type === 'disconnected') codes.push(e.code);
      }
      return codes.length === 3;
    });
    expect(codes).toEqual([4004, 4004, 4004]);
    expect(lastWords).toEqual(['bye', 'bye', 'bye']);
  });
});
