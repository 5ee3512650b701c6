// messaging.ts — requests, rooms, topics, direct messages and presence, through the same tick
import { createWorld } from 'bitecs';
import { RequestError, createClient, createServer, defineMessage, defineProtocol, defineRequest, t, webSocketClient } from 'tickwire';
import { webSocketServer } from 'tickwire/node';

// Shared: a request type is a request shape answered with a reply shape.
export const Chat = defineMessage('chat', { text: t.string({ maxBytes: 200 }) });
export const GetScore = defineRequest('getScore', { player: t.string({ maxBytes: 24 }) }, { score: t.u32() });
export const protocol = defineProtocol({ messages: [Chat], requests: [GetScore] });

// Server: identities come from `authenticate`; `authorize` decides subscriptions, publications,
// direct messages and presence watches.
const net = createServer(createWorld(), protocol, {
  transport: webSocketServer({ port: 8080 }),
  authenticate: (request) => ({ id: new URL(request.url, 'http://host').searchParams.get('user') ?? 'guest' }),
  messaging: { authorize: (_connection, action, target) => action !== 'subscribe' || !target.startsWith('admin.') },
});

function serverTick(): void {
  net.receive();
  for (const event of net.events()) {
    if (event.type !== 'connected') continue;
    net.joinRoom(event.connection, 'lobby'); // scopes replication and room broadcasts
    net.setPresence(net.identityOf(event.connection)!, { status: 'in the lobby' });
  }
  for (const request of net.requests(GetScore)) {
    // `request.source` is the Connection that asked.
    if (request.data.player === '') request.fail(400, `${net.identityOf(request.source)}: name a player`);
    else request.respond({ score: 42 }); // or later, after async work
  }
  for (const { source, data } of net.messages(Chat)) net.broadcastExcept('lobby', source, Chat, data);
  net.publish('news.server', Chat, { text: 'a new round starts' });
  net.replicate();
  net.flush();
}

// Client: promises settle during `receive`; everything else is read per frame.
const client = createClient(createWorld(), protocol, { transport: webSocketClient('ws://localhost:8080/ws?user=ann') });
client.connect();

async function talk(): Promise<void> {
  const { score } = await client.request(GetScore, { player: 'bob' }, { timeout: 2000 });
  const { refused } = await client.subscribe(['news.*', 'admin.*']); // refused: [{ topic: 'admin.*', code: 403 }]
  await client.publish('news.players', Chat, { text: `bob has ${score}` }); // → { recipients }
  await client.watchPresence(); // everyone; or watchPresence(['bob'])
  try {
    await client.direct('bob', Chat, { text: 'gg' });
  } catch (error) {
    if (error instanceof RequestError && error.code === 404) console.log('bob is offline', refused);
  }
}

function clientFrame(): void {
  client.receive();
  for (const { topic, from, data } of client.publications(Chat)) console.log(topic, from, data.text);
  for (const { from, data } of client.directMessages(Chat)) console.log('from', from, data.text);
  for (const { identity, status, metadata } of client.presence()) console.log(identity, status, metadata);
  client.flush();
}

export { clientFrame, serverTick, talk };
