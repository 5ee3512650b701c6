// The same browser client on the Colyseus SDK: join a room, draw every player from the synced
// state each frame, send the arrow keys and read chat.
import { Client, type Room } from '@colyseus/sdk';

interface Player {
  x: number;
  y: number;
}
type GameRoom = Room<{ players: Map<string, Player> }>;

const client = new Client(`ws://${location.host}`);
const keys = { dx: 0, dy: 0 };
const canvas = document.querySelector('canvas')!.getContext('2d')!;

function play(room: GameRoom): void {
  room.onMessage('chat', (text: string) => console.log(text));
  const frame = (): void => {
    canvas.clearRect(0, 0, 640, 480);
    for (const player of room.state.players?.values() ?? []) canvas.fillRect(player.x, player.y, 4, 4);
    room.send('move', keys);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
client.joinOrCreate<{ players: Map<string, Player> }>('game').then(play, (error: unknown) => console.error(error));
