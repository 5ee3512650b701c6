import { ZAP_COOLDOWN_MS, Zap, ZapResult } from '@tickwire/demo-shared';
import type { MessageData, NetworkClient } from 'tickwire';

/** A zap as the shooter sees it: where it was aimed, when, and (once the server answered) how it went. */
export interface ZapFlash {
  readonly x: number;
  readonly y: number;
  readonly at: number;
  hit: MessageData<typeof ZapResult>['hit'] | 'pending';
}

/** How long a zap's flash stays on screen, ms. */
const FLASH_MS = 400;

/**
 * Zapping: aim at a point where something is drawn, and the server judges it against where
 * things were at the tick this client was drawing them (the interpolation timeline's render tick,
 * sent with the zap): tickwire's lag compensation. No Phaser here, so the headless test player
 * zaps with the same code.
 */
export class Zapper {
  /** Recent zaps, newest last, for drawing. */
  readonly flashes: ZapFlash[] = [];
  /** Server verdicts so far. */
  readonly results: MessageData<typeof ZapResult>[] = [];
  private lastZapAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly net: NetworkClient) {}

  /** Zap at world point (x, y) at time `now` (ms); false while cooling down or not connected. */
  zap(x: number, y: number, now: number): boolean {
    if (this.net.state !== 'connected' || now - this.lastZapAt < ZAP_COOLDOWN_MS) return false;
    this.lastZapAt = now;
    const seenTick = Math.max(0, this.net.interpolation.timeline.renderTick);
    if (!this.net.send(Zap, { x, y, seenTick })) return false;
    this.flashes.push({ x, y, at: now, hit: 'pending' });
    return true;
  }

  /** Call after `net.receive()` each frame: take the server's verdicts and let old flashes go. */
  update(now: number): void {
    for (const result of this.net.messages(ZapResult)) {
      this.results.push(result);
      if (this.results.length > 64) this.results.shift();
      const flash = this.flashes.find((f) => f.hit === 'pending' && f.x === result.x && f.y === result.y);
      if (flash) flash.hit = result.hit;
    }
    while (this.flashes.length > 0 && now - this.flashes[0]!.at > FLASH_MS) this.flashes.shift();
  }
}
