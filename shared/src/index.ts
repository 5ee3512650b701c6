/** The demo game's shared definitions: components, messages, rules and the protocol. */
export { Bot, Orb, Player, Position } from './components';
export { CHAT_TOPIC, ChatLine, Join, Leaderboard, Move, Round, Say, Whisper, Zap, ZapResult } from './messages';
export { applyMove } from './movement';
export { ARENA_ROOM, protocol } from './protocol';
export {
  ARENA,
  BOT_RADIUS,
  BOT_SHOVE,
  BOT_SPEED,
  INPUT_RATE,
  KNOCKBACK_SECONDS,
  LEADERBOARD_SIZE,
  MAX_CHAT_BYTES,
  MAX_NAME_BYTES,
  MAX_NAME_GRAPHEMES,
  type MoveDirection,
  ORB_PICKUP_RADIUS,
  PLAYER_RADIUS,
  PLAYER_SPEED,
  ROUND_SECONDS,
  ZAP_BOT_POINTS,
  ZAP_COOLDOWN_MS,
  ZAP_HIT_RADIUS,
  ZAP_KNOCKBACK,
  ZAP_RANGE,
  type Point,
  canCollect,
  clampToArena,
  cleanName,
  movePoint,
  orbRadius,
} from './rules';
