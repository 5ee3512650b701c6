/** Why matchmaking could not give a seat. */
export type MatchmakingFailure =
  /** No room type of that name is defined. */
  | 'unknown-type'
  /** The options or filter are not a small object of plain values. */
  | 'invalid-options'
  /** No room of that id is listed. */
  | 'missing'
  /** The room is locked by its owner. */
  | 'locked'
  /** The room has no free seat. */
  | 'full'
  /** The directory or the room's node could not be reached in time (a cluster under trouble). */
  | 'unavailable';

const STATUS: Readonly<Record<MatchmakingFailure, number>> = {
  'unknown-type': 404,
  'invalid-options': 400,
  missing: 404,
  locked: 409,
  full: 409,
  unavailable: 503,
};

/** A matchmaking call that gave no seat, with the HTTP status a matchmaking endpoint answers it with. */
export class MatchmakingError extends Error {
  /** 400 invalid options, 404 unknown type or room, 409 locked or full, 503 unavailable. */
  readonly status: number;

  constructor(
    readonly failure: MatchmakingFailure,
    message: string,
  ) {
    super(message);
    this.name = 'MatchmakingError';
    this.status = STATUS[failure];
  }
}
