import type { World } from 'bitecs';
import type { Logger as Pino } from 'pino';
import type { NetworkServer } from 'tickwire';
import type { Arenas } from './arenas';
import type { DemoConfig } from './config';

/** What every game system is handed: the world, the network, the settings and a log. */
export interface Game {
  readonly world: World;
  readonly net: NetworkServer;
  readonly config: DemoConfig;
  readonly log: Pino;
  /** Uniform in [0, 1); injectable so a test can make the world reproducible. */
  readonly random: () => number;
  /** The matchmade arenas and their view groups. */
  readonly arenas: Arenas;
}

/** Capacity of the server-only component arrays; matches tickwire's default component capacity. */
export const ENTITY_CAPACITY = 65_536;
