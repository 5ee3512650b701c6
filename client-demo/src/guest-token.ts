/**
 * A guest identity from the demo server: `POST /auth/guest` issues a signed token, the WebSocket
 * carries it as `?token=`, and it is renewed (same guest) a minute before it expires and handed
 * to the server in-band, so a long session never meets the 4001 of an expired token.
 */

import { serverEndpoint } from './launch-options';

/** Renew this long before expiry, ms. */
const RENEW_AHEAD_MS = 60_000;

interface Issued {
  readonly token: string;
  readonly expiresAt: number;
}

/** `ws(s)://host[:port]/ws` → `http(s)://host[:port]/auth/guest`. */
export function guestEndpoint(serverUrl: string): string {
  return serverEndpoint(serverUrl, '/auth/guest');
}

/** The current guest token, fetched and kept fresh. */
export class GuestToken {
  /** The token to connect with; empty when none could be had (the demo then plays anonymously). */
  current = '';

  constructor(private readonly endpoint: string) {}

  private async issue(): Promise<Issued | undefined> {
    try {
      const headers: Record<string, string> = this.current ? { Authorization: `Bearer ${this.current}` } : {};
      const response = await fetch(this.endpoint, { method: 'POST', headers });
      if (!response.ok) return undefined;
      return (await response.json()) as Issued;
    } catch {
      // Another origin without CORS, or an older server: play without a token.
      return undefined;
    }
  }

  /**
   * For `createClient`'s `token` function: the current token, or a new guest's after a refusal or
   * a failed attempt (the server may have restarted under another secret; a browser cannot tell a
   * 401 from a network error).
   */
  async forConnect({ refused, failedAttempts }: { refused: boolean; failedAttempts: number }): Promise<string | undefined> {
    if (refused || failedAttempts > 0) {
      this.current = '';
      this.current = (await this.issue())?.token ?? '';
    }
    return this.current || undefined;
  }

  /** Fetch the first token; afterwards renew it ahead of expiry and pass each new one to `refreshed`. */
  async start(refreshed: (token: string) => void): Promise<void> {
    const first = await this.issue();
    if (!first) return;
    this.current = first.token;
    const renew = (expiresAt: number): void => {
      setTimeout(
        async () => {
          const next = await this.issue();
          if (!next) return;
          this.current = next.token;
          refreshed(next.token);
          renew(next.expiresAt);
        },
        Math.max(1000, expiresAt - Date.now() - RENEW_AHEAD_MS),
      );
    };
    renew(first.expiresAt);
  }
}
