import { ARENA_ROOM, Bot, Orb } from '@tickwire/demo-shared';
import { hasComponent, query, removeEntity } from 'bitecs';
import { Networked } from 'tickwire';
import { spawnBots } from './bots';
import type { DemoConfig } from './config';
import type { Game } from './game';
import { spawnOrb } from './orbs';
import { ViewGroup } from './view-groups';

/** How long an extra arena nobody plays in keeps its orbs and bots, ms. */
export const ARENA_EMPTY_LIFETIME_MS = 30_000;

/** The arena room type's options: `--room-size` players per arena (0: the whole server is one). */
export function arenaRoomType(config: DemoConfig): { maxClients: number; emptyLifetimeMs: number } {
  return { maxClients: config.roomSize > 0 ? config.roomSize : config.maxPlayers, emptyLifetimeMs: ARENA_EMPTY_LIFETIME_MS };
}

/**
 * Which view group each matchmade arena is. Without `--room-size` the whole server is one arena:
 * every arena is view group 0 (seen by all), the bots and orbs spawned at start are its, and
 * connections without a seat (bots of a load test, scripted players) play in it too — exactly the
 * game as it was before matchmaking. With `--room-size N`, each arena is a view group of its own
 * (past the `--view-groups` ones) with orbs and bots of its own, spawned when it opens and
 * removed when it is disposed; players in one never see another.
 */
export class Arenas {
  private readonly groupOfRoom = new Map<string, number>();
  private readonly roomOfGroup = new Map<number, string>();

  constructor(
    /** The first view group an arena may take (after the `--view-groups` ones). */
    private readonly firstGroup: number,
    /** True: one shared arena (view group 0) for the whole server. */
    readonly shared: boolean,
  ) {}

  /** The view group of an arena (undefined for a room that is not an open arena). */
  group(roomId: string): number | undefined {
    return this.groupOfRoom.get(roomId);
  }

  /** The interest room of a view group that is an arena (undefined for the fixed view groups). */
  roomName(group: number): string | undefined {
    return this.roomOfGroup.get(group);
  }

  /** A new arena: view group 0 when shared, else the lowest free one. */
  open(roomId: string): number {
    let group = this.shared ? 0 : this.firstGroup;
    while (group > 0 && this.roomOfGroup.has(group)) group++;
    this.groupOfRoom.set(roomId, group);
    if (group > 0) this.roomOfGroup.set(group, roomId);
    return group;
  }

  /** An arena was disposed: its group is free again. */
  close(roomId: string): number | undefined {
    const group = this.groupOfRoom.get(roomId);
    if (group === undefined) return undefined;
    this.groupOfRoom.delete(roomId);
    if (group > 0) this.roomOfGroup.delete(group);
    return group;
  }
}

/** System: give each new extra arena its orbs and bots, and take them away when it is disposed. */
export function handleArenas(game: Game): void {
  const { net, world, config, arenas, log } = game;
  for (const event of net.matchmaker.events()) {
    if (event.type === 'created' && event.room.type === ARENA_ROOM) {
      const group = arenas.open(event.room.id);
      if (group > 0) {
        for (let i = 0; i < config.orbs; i++) spawnOrb(game, group);
        spawnBots(game, config.bots, group);
      }
      log.info({ room: event.room.id, group }, 'arena opened');
    } else if (event.type === 'disposed') {
      const group = arenas.close(event.room.id);
      if (group === undefined) continue;
      if (group > 0)
        for (const eid of [...query(world, [Networked])])
          if (ViewGroup.of[eid] === group && (hasComponent(world, eid, Orb) || hasComponent(world, eid, Bot))) removeEntity(world, eid);
      log.info({ room: event.room.id, group }, 'arena closed');
    }
  }
}
