import { ARENA, BOT_RADIUS, Bot, Orb, PLAYER_RADIUS, Player, Position, orbRadius } from '@tickwire/demo-shared';
import { type World, hasComponent, query } from 'bitecs';
import * as Phaser from 'phaser';
import type { ZapFlash } from './zapper';

const ORB_COLORS: Record<number, number> = { 1: 0x3ddbd9, 2: 0xf2cc60, 3: 0xf778ba, 5: 0xffffff };
const BOT_COLOR = 0x6e7b8b;
const ZAP_COLORS = { pending: 0xffffff, miss: 0x8b949e, bot: 0x3fb950, player: 0xf778ba } as const;
const GRID = 100;

/** Fill colour of a hue at the demo's saturation and brightness. */
function hueColor(hue: number, value = 0.95): number {
  return Phaser.Display.Color.HSVToRGB(hue / 360, 0.6, value).color;
}

/**
 * Draws the replicated world: the arena, orbs and bots as dots, players as coloured circles with
 * their name and score. Positions are read from the store every frame: tickwire's `receive` has
 * written there what to draw now (interpolated remote entities, our predicted player).
 */
export class WorldRenderer {
  private readonly dots: Phaser.GameObjects.Graphics;
  private readonly bodies: Phaser.GameObjects.Graphics;
  private readonly labels = new Map<number, Phaser.GameObjects.Text>();

  constructor(private readonly scene: Phaser.Scene) {
    this.drawArena(scene.add.graphics());
    this.dots = scene.add.graphics();
    this.bodies = scene.add.graphics();
  }

  private drawArena(g: Phaser.GameObjects.Graphics): void {
    g.fillStyle(0x121820, 1).fillRect(0, 0, ARENA.width, ARENA.height);
    g.lineStyle(1, 0xffffff, 0.04);
    for (let x = GRID; x < ARENA.width; x += GRID) g.lineBetween(x, 0, x, ARENA.height);
    for (let y = GRID; y < ARENA.height; y += GRID) g.lineBetween(0, y, ARENA.width, y);
    g.lineStyle(3, 0x30363d, 1).strokeRect(0, 0, ARENA.width, ARENA.height);
  }

  /** Redraw everything for this frame; `own` is the local player's entity, ringed in white; `zaps` flash where they were aimed. */
  draw(world: World, own: number | undefined, zaps: readonly ZapFlash[] = [], now = 0): void {
    const dots = this.dots.clear();
    for (const eid of query(world, [Orb, Position])) {
      const value = Orb.value[eid]!;
      dots.fillStyle(ORB_COLORS[value] ?? 0xffffff, 0.9).fillCircle(Position.x[eid]!, Position.y[eid]!, orbRadius(value));
    }
    dots.fillStyle(BOT_COLOR, 0.75);
    for (const eid of query(world, [Bot, Position])) dots.fillCircle(Position.x[eid]!, Position.y[eid]!, BOT_RADIUS);

    for (const zap of zaps) {
      const age = Math.min(1, Math.max(0, (now - zap.at) / 400));
      if (own !== undefined) dots.lineStyle(2, ZAP_COLORS[zap.hit], 0.6 * (1 - age)).lineBetween(Position.x[own]!, Position.y[own]!, zap.x, zap.y);
      dots.lineStyle(3, ZAP_COLORS[zap.hit], 1 - age).strokeCircle(zap.x, zap.y, 10 + 20 * age);
    }

    const bodies = this.bodies.clear();
    const seen = new Set<number>();
    for (const eid of query(world, [Player, Position])) {
      const x = Position.x[eid]!;
      const y = Position.y[eid]!;
      const hue = Player.hue[eid]!;
      bodies.fillStyle(hueColor(hue), 1).fillCircle(x, y, PLAYER_RADIUS);
      bodies.lineStyle(3, eid === own ? 0xffffff : hueColor(hue, 0.55), 1).strokeCircle(x, y, PLAYER_RADIUS);
      this.label(eid, `${Player.name[eid]} · ${Player.score[eid]}`).setPosition(x, y - PLAYER_RADIUS - 4);
      seen.add(eid);
    }
    for (const [eid, text] of this.labels) {
      if (seen.has(eid) && hasComponent(world, eid, Player)) continue;
      text.destroy();
      this.labels.delete(eid);
    }
  }

  private label(eid: number, content: string): Phaser.GameObjects.Text {
    let text = this.labels.get(eid);
    if (!text) {
      text = this.scene.add
        .text(0, 0, content, { fontFamily: 'ui-sans-serif, system-ui, sans-serif', fontSize: '13px', color: '#e6edf3' })
        .setOrigin(0.5, 1)
        .setShadow(0, 1, '#000000', 2);
      this.labels.set(eid, text);
    } else if (text.text !== content) text.setText(content);
    return text;
  }
}
