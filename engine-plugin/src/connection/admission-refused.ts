/**
 * Thrown by an `authenticate` hook to refuse an upgrade with a specific HTTP status (403 for a
 * foreign origin, 429 for a client over a connection quota…) instead of the default 401.
 */
export class AdmissionRefused extends Error {
  /** The HTTP status the upgrade request is answered with (400–599). */
  readonly status: number;

  constructor(status: number, reason: string) {
    super(reason);
    this.name = 'AdmissionRefused';
    this.status = status;
  }
}
