/** What the network HUD shows, read fresh each frame. */
export interface HudReadings {
  readonly state: string;
  readonly rttMs: number;
  readonly kbpsIn: number;
  readonly kbpsOut: number;
  readonly entities: number;
  readonly serverTick: number;
  readonly tickRate: number;
}

/**
 * The network HUD: a small panel of live connection numbers, shown or hidden with H. Rows are
 * rendered from a list, so more (interpolation delay, prediction error…) are one line each.
 */
export class Hud {
  private lastText = '';

  constructor(private readonly element: HTMLElement) {}

  get visible(): boolean {
    return !this.element.hidden;
  }

  toggle(): void {
    this.element.hidden = !this.element.hidden;
  }

  update(readings: HudReadings): void {
    if (!this.visible) return;
    const rows: Array<[string, string]> = [
      ['state', readings.state],
      ['rtt', `${readings.rttMs.toFixed(0)} ms`],
      ['in', `${readings.kbpsIn.toFixed(1)} kbps`],
      ['out', `${readings.kbpsOut.toFixed(1)} kbps`],
      ['entities', String(readings.entities)],
      ['server tick', String(readings.serverTick)],
      ['tick rate', `${readings.tickRate} Hz`],
    ];
    const text = rows.map(([k, v]) => `${k}=${v}`).join(';');
    // Rewriting the DOM every frame for unchanged numbers would cost layout for nothing.
    if (text === this.lastText) return;
    this.lastText = text;
    const list = document.createElement('dl');
    for (const [label, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      list.append(dt, dd);
    }
    const title = document.createElement('h3');
    title.textContent = 'network · H';
    this.element.replaceChildren(title, list);
  }
}
