import type { FilterValue, RoomMetadata, RoomOptions } from './room-directory.js';
import { MatchmakingError } from './matchmaking-error.js';

/** How rooms of one type are made, filled and ended: the second argument of `defineRoomType`. */
export interface RoomTypeOptions {
  /** Most clients one room holds (seats reserved and in use). Default 16. */
  readonly maxClients?: number;
  /**
   * Option keys that split rooms into pools: `joinOrCreate('arena', { mode: 'ranked' })` joins only
   * an arena created with `mode: 'ranked'` (a missing key matches only rooms made without it).
   * Default none: every room of the type is a match.
   */
  readonly filterBy?: readonly string[];
  /** What a new room shows in listings: fixed, or made from its creation options. Default `{}`. */
  readonly metadata?: RoomMetadata | ((options: RoomOptions) => RoomMetadata);
  /**
   * How long a room may stay empty (no session, no reserved seat) before it is disposed, ms.
   * Default 0: as soon as its last client leaves, or its creator's seat expires unused.
   * `Infinity`: never (a lobby that always exists once made).
   */
  readonly emptyLifetimeMs?: number;
  /** How long a reserved seat waits for its client to connect, ms. Default the matchmaker's `seatTtlMs`. */
  readonly seatTtlMs?: number;
}

/** A room type as the matchmaker keeps it. */
export interface RoomType {
  readonly name: string;
  readonly maxClients: number;
  readonly filterBy: readonly string[];
  readonly metadata: (options: RoomOptions) => RoomMetadata;
  readonly emptyLifetimeMs: number;
  readonly seatTtlMs: number;
}

/** Bounds on what a request may ask for: options come from the network (an HTTP body). */
export const MAX_OPTION_KEYS = 16;
/** Longest option key or string value, in characters. */
export const MAX_OPTION_LENGTH = 128;
/** Longest room type name, in characters. */
export const MAX_TYPE_NAME_LENGTH = 64;

const TYPE_NAME = /^[A-Za-z0-9_.-]+$/;

/** Check and complete a type's options (a programming error throws `TypeError`). */
export function resolveRoomType(name: string, options: RoomTypeOptions, defaultSeatTtlMs: number): RoomType {
  if (name.length === 0 || name.length > MAX_TYPE_NAME_LENGTH || !TYPE_NAME.test(name))
    throw new TypeError(`room type name ${JSON.stringify(name)} must be 1–${MAX_TYPE_NAME_LENGTH} letters, digits, _ . -`);
  const maxClients = options.maxClients ?? 16;
  if (!Number.isInteger(maxClients) || maxClients < 1) throw new TypeError(`maxClients of ${name} must be a positive integer`);
  const emptyLifetimeMs = options.emptyLifetimeMs ?? 0;
  if (!(emptyLifetimeMs >= 0)) throw new TypeError(`emptyLifetimeMs of ${name} must be ≥ 0 (Infinity: never disposed)`);
  const seatTtlMs = options.seatTtlMs ?? defaultSeatTtlMs;
  if (!Number.isFinite(seatTtlMs) || seatTtlMs <= 0) throw new TypeError(`seatTtlMs of ${name} must be a positive number of ms`);
  const filterBy = [...new Set(options.filterBy ?? [])].sort();
  if (filterBy.length > MAX_OPTION_KEYS) throw new TypeError(`filterBy of ${name} lists more than ${MAX_OPTION_KEYS} keys`);
  const metadata = options.metadata;
  return {
    name,
    maxClients,
    filterBy,
    metadata: typeof metadata === 'function' ? metadata : () => metadata ?? {},
    emptyLifetimeMs,
    seatTtlMs,
  };
}

/**
 * Room options as the network may send them: a plain object of at most {@link MAX_OPTION_KEYS}
 * keys, each a short string, finite number or boolean. Anything else is a 400 `MatchmakingError`.
 */
export function checkRoomOptions(options: unknown): RoomOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new MatchmakingError('invalid-options', 'room options must be an object');
  const entries = Object.entries(options);
  if (entries.length > MAX_OPTION_KEYS) throw new MatchmakingError('invalid-options', `room options have more than ${MAX_OPTION_KEYS} keys`);
  const out: Record<string, FilterValue> = {};
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_OPTION_LENGTH) throw new MatchmakingError('invalid-options', `room option keys must be 1–${MAX_OPTION_LENGTH} characters`);
    const ok =
      (typeof value === 'string' && value.length <= MAX_OPTION_LENGTH) || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) throw new MatchmakingError('invalid-options', `room option ${key} must be a string of ≤ ${MAX_OPTION_LENGTH} characters, a finite number or a boolean`);
    out[key] = value;
  }
  return out;
}

/** The `filterBy` values of some options: what a room was made with, or what a request asks for. */
export function filterOf(type: RoomType, options: RoomOptions): RoomOptions {
  const filter: Record<string, FilterValue> = {};
  for (const key of type.filterBy) if (Object.hasOwn(options, key)) filter[key] = options[key]!;
  return filter;
}

/**
 * The pool a filter falls in: the type name alone without filter keys, else the type and its
 * filter values in a canonical form (keys sorted, values typed), so `{ mode: 'a' }` and
 * `{ mode: 'a', other: 1 }` land in one pool when only `mode` is filtered on.
 */
export function poolOf(type: RoomType, filter: RoomOptions): string {
  if (type.filterBy.length === 0) return type.name;
  return `${type.name}?${JSON.stringify(type.filterBy.map((key) => (Object.hasOwn(filter, key) ? filter[key] : null)))}`;
}
