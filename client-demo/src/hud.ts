/** What the network HUD shows, read fresh each frame. */
export interface HudReadings {
  readonly state: string;
  /** Remote entities drawn between server states (I). */
  readonly interpolation: boolean;
  /** Our own player predicted from our inputs (P). */
  readonly prediction: boolean;
  readonly rttMs: number;
  /** The fastest of the last 16 round trips, ms: the link without the page's or the server's momentary delays. */
  readonly minRttMs: number;
  /** Frame arrival jitter (lateness behind the arrival line, p95), ms: the link plus the server's tick timing, stamped as frames come off the socket. */
  readonly jitterMs: number;
  /** RTT mean deviation from pongs, ms. */
  readonly rttJitterMs: number;
  /** How late this page's own frames run (p95 frame interval minus the median), ms: page slowness, not the network. */
  readonly frameLatenessMs: number;
  /** How far behind the server's current tick remote entities are drawn (time sync), ms. */
  readonly delayBehindServerMs: number;
  /** How far behind the arrival line remote entities are drawn (the interpolation buffer), ms. */
  readonly renderDelayMs: number;
  /** Our inputs the server has not processed yet (in flight, or queued there). */
  readonly pendingInputs: number;
  /** Our inputs waiting in the server's playout buffer, and the depth it keeps as slack (from the Tick header). */
  readonly serverInputQueue: { readonly queued: number; readonly target: number };
  /** Prediction corrections so far (reconciles that moved the prediction). */
  readonly corrections: number;
  /** Largest prediction correction so far, world units. */
  readonly maxCorrection: number;
  readonly kbpsIn: number;
  readonly kbpsOut: number;
  readonly entities: number;
  readonly serverTick: number;
  readonly tickRate: number;
}

/**
 * The network HUD: a small panel of live connection numbers, hidden until H shows it, with the
 * interpolation (I) and prediction (P) switches, so their effect can be watched while toggling.
 */
export class Hud {
  private lastText = '';
  /** The readings of the latest frame, kept while hidden too (the test hook reads them). */
  last: HudReadings | undefined;

  constructor(private readonly element: HTMLElement) {}

  get visible(): boolean {
    return !this.element.hidden;
  }

  toggle(): void {
    this.element.hidden = !this.element.hidden;
  }

  update(readings: HudReadings): void {
    this.last = readings;
    if (!this.visible) return;
    const rows: Array<[string, string]> = [
      ['state', readings.state],
      ['interpolation · I', readings.interpolation ? 'on' : 'off'],
      ['prediction · P', readings.prediction ? 'on' : 'off'],
      ['rtt', `${readings.rttMs.toFixed(0)} ms (fastest ${readings.minRttMs.toFixed(0)})`],
      ['arrival jitter', `${readings.jitterMs.toFixed(1)} ms`],
      ['rtt jitter', `${readings.rttJitterMs.toFixed(1)} ms`],
      ['page frame lateness', `${readings.frameLatenessMs.toFixed(1)} ms`],
      ['delay behind server', `${readings.delayBehindServerMs.toFixed(0)} ms`],
      ['render delay', `${readings.renderDelayMs.toFixed(0)} ms`],
      ['pending inputs', String(readings.pendingInputs)],
      ['server input queue', `${readings.serverInputQueue.queued} (target ${readings.serverInputQueue.target})`],
      ['corrections', String(readings.corrections)],
      ['max correction', `${readings.maxCorrection.toFixed(2)} u`],
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
