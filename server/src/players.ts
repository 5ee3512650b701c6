import { Join, Player, Position, cleanName } from '@tickwire/demo-shared';
import { addComponent, addEntity, hasComponent, query, removeEntity } from 'bitecs';
import { type Connection, Networked } from 'tickwire';
import type { Game } from './game';
import { clearKnockback } from './knockback';
import { sendLeaderboard } from './leaderboard';
import { randomSpot } from './movement';
import { announceNear, placePlayer } from './view-groups';

/** The player entity a connection controls, if it has joined. */
export function playerOf({ world, net }: Game, connection: Connection): number | undefined {
  return net.owned(connection).find((eid) => hasComponent(world, eid, Player));
}

/** Players in the world, connected or held for a resume. */
export function playerCount({ world }: Game): number {
  return query(world, [Player]).length;
}

/**
 * React to this tick's connection events (the library turns away connections over the player
 * limit with 4002): keep the player of a dropped connection that may resume (it stands still: moves come only as inputs), and
 * remove it once the session is gone for good.
 */
export function handleConnections(game: Game): void {
  const { net } = game;
  for (const event of net.events()) {
    switch (event.type) {
      case 'disconnected':
        if (!event.resumable) removePlayer(game, event.connection);
        break;
      case 'expired':
        removePlayer(game, event.connection);
        break;
      default:
        break;
    }
  }
}

/** Spawn a player for each Join from a connection that has none yet. */
export function handleJoins(game: Game): void {
  const { world, net, random, log } = game;
  for (const { source, data } of net.messages(Join)) {
    if (source.state !== 'active' || playerOf(game, source) !== undefined) continue;
    const eid = addEntity(world);
    const spot = randomSpot(random);
    addComponent(world, eid, Position);
    clearKnockback(eid);
    Position.x[eid] = spot.x;
    Position.y[eid] = spot.y;
    addComponent(world, eid, Player);
    const name = cleanName(data.name);
    Player.name[eid] = name;
    Player.hue[eid] = Math.floor(random() * 360);
    Player.score[eid] = 0;
    addComponent(world, eid, Networked);
    placePlayer(game, eid, source);
    // Tells the client (tickwire.ownership) which entity to predict and follow: no game message needed.
    net.setOwner(eid, source);
    // Watchers on every node see the name: whispers are addressed by it.
    const identity = net.identityOf(source);
    if (identity !== undefined) net.setPresence(identity, { name });
    sendLeaderboard(game, source);
    announceNear(game, eid, { from: '', hue: 0, text: `${name} joined`, system: true });
    log.info({ connection: source.id, entity: eid, name, players: playerCount(game) }, 'player joined');
  }
}

function removePlayer(game: Game, connection: Connection): void {
  const { world, net, log } = game;
  for (const eid of net.owned(connection)) {
    const name = hasComponent(world, eid, Player) ? Player.name[eid]! : undefined;
    if (name !== undefined) announceNear(game, eid, { from: '', hue: 0, text: `${name} left`, system: true });
    removeEntity(world, eid);
    if (name === undefined) continue;
    log.info({ connection: connection.id, entity: eid, name, players: playerCount(game) }, 'player left');
  }
}
