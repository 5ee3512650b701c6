import { CloseCode, type CloseCodeValue } from './close-codes.js';

/**
 * A peer sent something tickwire will not accept. It carries the close code the connection is
 * closed with, so every decoder can throw it and the connection layer turns it into one close.
 */
export class ProtocolError extends Error {
  /** The close code to end the offending connection with. */
  readonly code: CloseCodeValue;

  constructor(message: string, code: CloseCodeValue = CloseCode.ProtocolError) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
