import {
  BOT_RADIUS,
  Bot,
  Player,
  Position,
  ZAP_BOT_POINTS,
  ZAP_COOLDOWN_MS,
  ZAP_HIT_RADIUS,
  ZAP_KNOCKBACK,
  ZAP_RANGE,
  Zap,
  ZapResult,
} from '@tickwire/demo-shared';
import { hasComponent, query } from 'bitecs';
import { History } from 'tickwire';
import { ENTITY_CAPACITY, type Game } from './game';
import { knock } from './knockback';
import { randomSpot } from './movement';
import { playerOf } from './players';
import { ViewGroup } from './view-groups';

/** How far back a zap may be judged: 500 ms (10 ticks at 20 Hz), like Colyseus' `maxRewindMs`. */
const MAX_REWIND_MS = 500;

/**
 * Zaps, judged with lag compensation: every tick records where bots and players are (a bounded
 * `History`), and a zap is evaluated against where they were at the tick its shooter was drawing
 * them (`seenTick`), not where they are when it arrives. So a player at 150 ms RTT, who sees others
 * about 250 ms in the past, hits a moving bot where it saw it; a zap aimed at where a bot really
 * is now (which that player could not have seen) misses. The shooter's own position is its present
 * one; a claimed tick is clamped into the last 500 ms, so a lying client rewinds no further.
 */
export class Zaps {
  private readonly history: History;
  private readonly recorded: number[] = [];
  /** The tick each shooter (by entity) last zapped at. */
  private readonly lastZapTick = new Float64Array(ENTITY_CAPACITY).fill(Number.NEGATIVE_INFINITY);
  private readonly cooldownTicks: number;

  constructor(private readonly game: Game) {
    const { tickRate, bots, maxPlayers, roomSize, viewGroups } = game.config;
    // Every arena (matchmade ones included) brings its own bots.
    const arenas = (roomSize > 0 ? Math.ceil(maxPlayers / roomSize) : 1) + viewGroups;
    this.history = new History([Position.x, Position.y], {
      ticks: Math.max(2, Math.ceil((MAX_REWIND_MS * tickRate) / 1000) + 1),
      maxEntities: Math.min(ENTITY_CAPACITY, Math.max(1, bots * arenas + maxPlayers)),
    });
    this.cooldownTicks = Math.max(1, Math.floor((ZAP_COOLDOWN_MS * tickRate) / 1000));
  }

  /** System, after everything moved this tick: record bots and players for later rewinds. */
  record(): void {
    const { world, net } = this.game;
    const recorded = this.recorded;
    recorded.length = 0;
    for (const eid of query(world, [Bot, Position])) recorded.push(eid);
    for (const eid of query(world, [Player, Position])) recorded.push(eid);
    this.history.record(net.tick, recorded);
  }

  /** System, after moves: judge this tick's zaps against the recorded past, and tell each shooter how it went. */
  apply(): void {
    const { net } = this.game;
    for (const { source, data } of net.messages(Zap)) {
      const shooter = playerOf(this.game, source);
      if (shooter === undefined || net.tick - this.lastZapTick[shooter]! < this.cooldownTicks) continue;
      this.lastZapTick[shooter] = net.tick;
      const hit = this.judge(shooter, data.x, data.y, data.seenTick);
      net.send(source, ZapResult, { x: data.x, y: data.y, hit });
    }
  }

  /** Which target a zap at (x, y) from `shooter`, seen at `seenTick`, hits — and what it does to it. */
  private judge(shooter: number, x: number, y: number, seenTick: number): 'miss' | 'bot' | 'player' {
    if (Math.hypot(x - Position.x[shooter]!, y - Position.y[shooter]!) > ZAP_RANGE) return 'miss';
    const at = this.history.rewind(seenTick);
    let target = -1;
    let best = ZAP_HIT_RADIUS;
    const group = ViewGroup.of[shooter]!;
    this.history.forEachAt(at, (eid, [tx, ty]) => {
      // Only what the shooter can see: its own arena (view group).
      if (eid === shooter || ViewGroup.of[eid] !== group) return;
      const distance = Math.hypot(tx! - x, ty! - y);
      if (distance <= best) {
        best = distance;
        target = eid;
      }
    });
    const { world, net, random } = this.game;
    if (target < 0) return 'miss';
    if (hasComponent(world, target, Bot)) {
      // Knocked to a random spot: the shooter scores.
      const spot = randomSpot(random, BOT_RADIUS);
      Position.x[target] = spot.x;
      Position.y[target] = spot.y;
      net.markChanged(target, Position);
      Player.score[shooter] = Player.score[shooter]! + ZAP_BOT_POINTS;
      return 'bot';
    }
    if (!hasComponent(world, target, Player)) return 'miss';
    // A player is knocked away from the shooter (a force their client cannot predict) and loses a point to them.
    const dx = Position.x[target]! - Position.x[shooter]!;
    const dy = Position.y[target]! - Position.y[shooter]!;
    const length = Math.hypot(dx, dy) || 1;
    knock(target, dx / length, dy / length, ZAP_KNOCKBACK);
    if (Player.score[target]! > 0) {
      Player.score[target] = Player.score[target]! - 1;
      Player.score[shooter] = Player.score[shooter]! + 1;
    }
    return 'player';
  }
}
