import { t } from './fields';
import { defineMessage } from './message';

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

/** The built-in message types, in id order. */
export const SYSTEM_MESSAGES = [ErrorMessage] as const;
