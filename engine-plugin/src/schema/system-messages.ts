import { t } from './fields.js';
import { defineMessage } from './message.js';
import { MESSAGING_MESSAGES } from './messaging-messages.js';

/**
 * Messages every tickwire protocol carries, ahead of the game's own. Their names start with
 * `tickwire.` (reserved), and they take the lowest ids.
 */

/** Server → client: a request was refused (seed 003's error codes: 400 invalid, 403, 404, 429, 503). */
export const ErrorMessage = defineMessage(
  'tickwire.error',
  {
    code: t.u16(),
    message: t.string({ maxBytes: 512 }),
    /** The message type the error is about, when it is about one. */
    about: t.optional(t.string({ maxBytes: 128 })),
  },
  { direction: 'toClient' },
);

/**
 * Server → client: the state of this connection's credentials (seed 003's `AuthStatus`).
 * `token_expiring` comes `tokenWarningMs` before `expiresAt` (ms since the Unix epoch): send
 * {@link RefreshTokenMessage} before then, or the connection closes with 4001.
 * `token_refreshed` confirms a refresh and carries the new expiry.
 */
export const AuthStatusMessage = defineMessage(
  'tickwire.authStatus',
  {
    status: t.enum(['token_expiring', 'token_refreshed']),
    expiresAt: t.f64(),
    refreshRequired: t.bool(),
  },
  { direction: 'toClient' },
);

/** Client → server: a fresh token for this connection, verified by the server's `verifyToken`. */
export const RefreshTokenMessage = defineMessage('tickwire.refreshToken', { token: t.string({ maxBytes: 4096 }) }, { direction: 'toServer' });

/**
 * Server → client: this client now controls (`owned: true`) or no longer controls a server
 * entity, so it knows which entity to predict and follow without a game message for it.
 */
export const OwnershipMessage = defineMessage('tickwire.ownership', { entity: t.u32(), owned: t.bool() }, { direction: 'toClient' });

/** Client → server: its world fell behind beyond repair (e.g. a hidden tab); send a full snapshot. */
export const ResyncMessage = defineMessage('tickwire.resync', {}, { direction: 'toServer' });

/** The built-in message types, in id order. Append only: ids are positions in this list. */
export const SYSTEM_MESSAGES = [ErrorMessage, AuthStatusMessage, RefreshTokenMessage, ...MESSAGING_MESSAGES, OwnershipMessage, ResyncMessage] as const;
