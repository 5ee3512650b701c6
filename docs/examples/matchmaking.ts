// matchmaking.ts — rooms found through matchmaking and joined with a seat; one process, no Redis
import { createServer as createHttpServer } from 'node:http';
import { createWorld } from 'bitecs';
import { type SeatReservation, createClient, createServer, defineMessage, defineProtocol, matchmakeOverHttp, t, webSocketClient } from 'tickwire';
import { matchmakingEndpoint, webSocketServer } from 'tickwire/node';

export const Chat = defineMessage('chat', { text: t.string({ maxBytes: 200 }) });
export const protocol = defineProtocol({ messages: [Chat] });

// Server: one port for the matchmaking endpoint and the WebSocket; every client needs a seat.
const http = createHttpServer();
const net = createServer(createWorld(), protocol, {
  transport: webSocketServer({ server: http, path: '/ws' }),
  matchmaking: { address: '/ws', seatTtlMs: 10_000, requireSeat: true },
});
net.matchmaker.defineRoomType('arena', {
  maxClients: 8,
  filterBy: ['mode'], // ranked players never share a room with casual ones
  metadata: (options) => ({ mode: String(options.mode ?? 'casual') }),
  emptyLifetimeMs: 30_000, // an empty arena waits 30 s for players before it is disposed
});
const matchmaking = matchmakingEndpoint(net.matchmaker); // POST /matchmake/joinOrCreate/arena, …
http.on('request', (request, response) => {
  if (!matchmaking.handle(request, response)) response.writeHead(404).end();
});

function serverTick(): void {
  net.receive();
  for (const event of net.matchmaker.events()) {
    const { room } = event;
    // A matchmade room is its clients' interest room: its id scopes entities and broadcasts.
    if (event.type === 'joined') net.broadcast(room.id, Chat, { text: `${room.connections.size}/${room.maxClients} here` });
    if (event.type === 'joined' && room.connections.size === room.maxClients) room.lock(); // the match starts
    if (event.type === 'disposed') console.log('room over', room.id); // remove what you spawned for it
  }
  net.replicate();
  net.flush();
}

// Anywhere in the server process (a system, your own API) the same calls give a seat.
async function seatForFriend(roomId: string): Promise<SeatReservation> {
  return net.matchmaker.join(roomId); // 404 missing, 409 locked or full: a MatchmakingError with .status
}

// Client (a browser): POST /matchmake/joinOrCreate/arena (body { mode: 'ranked' }) answers
// { address, seat, room, expiresAt }; the client connects to the room's owner with the seat, and
// asks for a new one when its seat leads nowhere (expired, its room gone) or the server says 4011.
function play(): void {
  const serverUrl = `ws://${location.host}/ws`;
  const client = createClient(createWorld(), protocol, {
    transport: webSocketClient(serverUrl),
    matchmake: matchmakeOverHttp(serverUrl, 'arena', { roomOptions: { mode: 'ranked' } }),
  });
  client.connect();
}

export { play, seatForFriend, serverTick };
