/**
 * The demo game as a Colyseus 0.18 room, for bench:vs-colyseus: the same bots (wander, bounce,
 * shove), orbs (collect, respawn), Move steps and 20 Hz as server/src, written the way a
 * Colyseus developer would — a MapSchema per kind of entity, state mutated in a simulation
 * interval, patches at the same rate. One room per view group of the tickwire run (maxClients 50),
 * each with that group's share of bots and orbs.
 */
import { Room, type Client } from '@colyseus/core';
import { schema, t } from '@colyseus/schema';
import { ARENA, BOT_RADIUS, BOT_SHOVE, BOT_SPEED, PLAYER_RADIUS, clampToArena, canCollect, movePoint, INPUT_RATE, orbRadius } from '@tickwire/demo-shared';

export const PlayerState = schema({ x: t.float32(), y: t.float32(), hue: t.uint16(), name: t.string(), score: t.uint32() }, 'Player');
export const BotState = schema({ x: t.float32(), y: t.float32() }, 'Bot');
export const OrbState = schema({ x: t.float32(), y: t.float32(), value: t.uint8() }, 'Orb');
export const ArenaState = schema({ players: t.map(PlayerState), bots: t.map(BotState), orbs: t.map(OrbState) }, 'Arena');

type ArenaStateInstance = InstanceType<typeof ArenaState>;
type PlayerInstance = InstanceType<typeof PlayerState>;

/** What the server hands each room it creates. */
export interface ArenaOptions {
  readonly bots: number;
  readonly orbs: number;
  readonly tickRate: number;
}

interface Wanderer {
  readonly state: InstanceType<typeof BotState>;
  heading: number;
  turnIn: number;
}

const CONTACT = PLAYER_RADIUS + BOT_RADIUS;

function randomSpot(margin: number): { x: number; y: number } {
  return { x: margin + Math.random() * (ARENA.width - 2 * margin), y: margin + Math.random() * (ARENA.height - 2 * margin) };
}

export class ArenaRoom extends Room<{ state: ArenaStateInstance }> {
  override maxClients = 50;
  // Every group's room exists from the start and stays, as the tickwire world's groups do.
  override autoDispose = false;
  private readonly wanderers: Wanderer[] = [];
  private nextId = 0;

  override onCreate(options: ArenaOptions): void {
    this.setState(new ArenaState());
    this.patchRate = 1000 / options.tickRate;
    for (let i = 0; i < options.bots; i++) {
      const bot = new BotState();
      const spot = randomSpot(BOT_RADIUS);
      bot.x = spot.x;
      bot.y = spot.y;
      this.state.bots.set(String(this.nextId++), bot);
      this.wanderers.push({ state: bot, heading: Math.random() * Math.PI * 2, turnIn: Math.random() * 3 });
    }
    for (let i = 0; i < options.orbs; i++) this.spawnOrb();
    this.onMessage('move', (client: Client, input: { x: number; y: number }) => {
      const player = this.state.players.get(client.sessionId);
      if (!player || typeof input?.x !== 'number' || typeof input?.y !== 'number') return;
      const next = movePoint(player.x, player.y, input, 1 / INPUT_RATE);
      player.x = next.x;
      player.y = next.y;
    });
    const dt = 1 / options.tickRate;
    this.setSimulationInterval(() => this.step(dt), 1000 / options.tickRate);
  }

  override onJoin(client: Client, options: { name?: string }): void {
    const player = new PlayerState();
    const spot = randomSpot(PLAYER_RADIUS * 2);
    player.x = spot.x;
    player.y = spot.y;
    player.hue = Math.floor(Math.random() * 360);
    player.name = String(options?.name ?? 'player').slice(0, 24);
    player.score = 0;
    this.state.players.set(client.sessionId, player);
  }

  override onLeave(client: Client): void {
    this.state.players.delete(client.sessionId);
  }

  private spawnOrb(): void {
    const orb = new OrbState();
    const roll = Math.random();
    orb.value = roll < 0.6 ? 1 : roll < 0.85 ? 2 : roll < 0.97 ? 3 : 5;
    const spot = randomSpot(orbRadius(orb.value) * 2);
    orb.x = spot.x;
    orb.y = spot.y;
    this.state.orbs.set(String(this.nextId++), orb);
  }

  private step(dt: number): void {
    for (const w of this.wanderers) {
      const bot = w.state;
      w.turnIn -= dt;
      if (w.turnIn <= 0) {
        w.heading += (Math.random() - 0.5) * Math.PI;
        w.turnIn = 1 + Math.random() * 3;
      }
      const x = bot.x + Math.cos(w.heading) * BOT_SPEED * dt;
      const y = bot.y + Math.sin(w.heading) * BOT_SPEED * dt;
      if (x <= BOT_RADIUS || x >= ARENA.width - BOT_RADIUS) w.heading = Math.PI - w.heading;
      if (y <= BOT_RADIUS || y >= ARENA.height - BOT_RADIUS) w.heading = -w.heading;
      bot.x = clampToArena(x, ARENA.width, BOT_RADIUS);
      bot.y = clampToArena(y, ARENA.height, BOT_RADIUS);
    }
    const players: PlayerInstance[] = [...this.state.players.values()];
    if (players.length === 0) return;
    // Shove: bots push the players they touch, as server/src/shove.ts does.
    for (const w of this.wanderers) {
      const bx = w.state.x;
      const by = w.state.y;
      for (const player of players) {
        const dx = player.x - bx;
        const dy = player.y - by;
        const distance = Math.hypot(dx, dy);
        if (distance >= CONTACT) continue;
        const nx = distance > 1e-6 ? dx / distance : 1;
        const ny = distance > 1e-6 ? dy / distance : 0;
        const push = CONTACT - distance + BOT_SHOVE;
        player.x = clampToArena(player.x + nx * push, ARENA.width, PLAYER_RADIUS);
        player.y = clampToArena(player.y + ny * push, ARENA.height, PLAYER_RADIUS);
      }
    }
    // Orbs: collected by the first player touching them, respawned elsewhere.
    const collected: string[] = [];
    for (const [key, orb] of this.state.orbs) {
      for (const player of players) {
        if (!canCollect(player, orb)) continue;
        player.score += orb.value;
        collected.push(key);
        break;
      }
    }
    for (const key of collected) {
      this.state.orbs.delete(key);
      this.spawnOrb();
    }
  }
}
