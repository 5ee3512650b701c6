import { ARENA, ChatLine, Join, Joined, Leaderboard, Move, type MoveDirection, Position, Say } from '@tickwire/demo-shared';
import { hasComponent, query } from 'bitecs';
import * as Phaser from 'phaser';
import { type NetworkClient, Networked } from 'tickwire';
import { ChatPanel } from './chat-panel';
import { ConnectionNotice } from './connection-notice';
import { type DisplayPositions, replicatedPositions } from './display-position';
import { Hud } from './hud';
import { KeyboardDirection } from './keyboard-direction';
import type { LaunchOptions } from './launch-options';
import { LeaderboardPanel } from './leaderboard-panel';
import { StatusOverlay } from './status-overlay';
import { TrafficMeter } from './traffic-meter';
import { WorldRenderer } from './world-renderer';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/**
 * The one scene: each frame it runs the client's tick — `receive`, react to events and messages,
 * send input, draw, `flush` — in that order, like the server's `receive … flush`.
 */
export class ArenaScene extends Phaser.Scene {
  /** The server entity id of our player, once the server told us. */
  ownServerId: number | undefined;
  /** Where entities are drawn; swap for an interpolated or predicted source. */
  positions: DisplayPositions = replicatedPositions;
  private worldRenderer!: WorldRenderer;
  private keyboard!: KeyboardDirection;
  private readonly notice: ConnectionNotice;
  private readonly traffic = new TrafficMeter();
  private readonly hud = new Hud(element('hud'));
  private readonly status = new StatusOverlay(element('status'), element('status-title'), element('status-detail'));
  private readonly leaderboard: LeaderboardPanel;
  private readonly chat: ChatPanel;
  private sentDirection: MoveDirection = { x: 0, y: 0 };

  constructor(
    readonly net: NetworkClient,
    readonly launch: LaunchOptions,
  ) {
    super('arena');
    this.notice = new ConnectionNotice(launch.serverUrl);
    this.leaderboard = new LeaderboardPanel(element('leaderboard'), launch.name);
    this.chat = new ChatPanel(
      element('chat-log'),
      element('chat-input'),
      element('chat-hint'),
      (text) => net.send(Say, { text }),
      () => this.keyboard.release(),
    );
    window.addEventListener('keydown', (event) => {
      if ((event.key === 'h' || event.key === 'H') && !this.chat.isOpen) this.hud.toggle();
    });
  }

  create(): void {
    this.worldRenderer = new WorldRenderer(this, this.positions);
    this.keyboard = new KeyboardDirection(this.input.keyboard!);
    this.cameras.main.centerOn(ARENA.width / 2, ARENA.height / 2);
    let hiddenTimer: ReturnType<typeof setInterval> | undefined;
    document.addEventListener('visibilitychange', () => {
      clearInterval(hiddenTimer);
      hiddenTimer = document.hidden ? setInterval(() => this.runNetwork(), 200) : undefined;
    });
  }

  /** The local entity of our player, if it is in the world yet. */
  ownEntity(): number | undefined {
    if (this.ownServerId === undefined) return undefined;
    const local = this.net.localId(this.ownServerId);
    return local !== undefined && hasComponent(this.net.world, local, Position) ? local : undefined;
  }

  override update(time: number): void {
    this.runNetwork();
    this.draw();
    this.status.show(this.notice.current);
    this.traffic.sample(this.net.connection.stats, time);
    this.hud.update({
      state: this.net.state,
      rttMs: this.net.rtt,
      kbpsIn: this.traffic.kbpsIn,
      kbpsOut: this.traffic.kbpsOut,
      entities: query(this.net.world, [Networked]).length,
      serverTick: this.net.tick,
      tickRate: this.net.connection.tickRate,
    });
  }

  /**
   * The client's network tick: `receive`, react to events and messages, send input, `flush`.
   * Runs every rendered frame, and on a timer while the tab is hidden (browsers stop rendering
   * hidden tabs, and unread server frames would pile up until the client gave up on them).
   */
  runNetwork(): void {
    const { net } = this;
    net.receive();
    for (const event of net.events()) {
      this.notice.handle(event);
      // A resumed session still has its player; a new one (first visit, or the server forgot us) needs one.
      if (event.type === 'connected' && !event.resumed) {
        this.ownServerId = undefined;
        this.sentDirection = { x: 0, y: 0 };
        net.send(Join, { name: this.launch.name });
      }
    }
    for (const joined of net.messages(Joined)) this.ownServerId = joined.entity;
    for (const line of net.messages(ChatLine)) this.chat.add(line);
    const boards = net.messages(Leaderboard);
    if (boards.length > 0) this.leaderboard.show(boards[boards.length - 1]!);
    this.sendDirection();
    net.flush();
  }

  /** Send the held direction when it changes: the server keeps applying the last one. */
  private sendDirection(): void {
    const idle = this.chat.isOpen || this.ownServerId === undefined || document.hidden;
    const held = idle ? { x: 0, y: 0 } : this.keyboard.read();
    if (held.x === this.sentDirection.x && held.y === this.sentDirection.y) return;
    if (this.net.state !== 'connected') return;
    this.net.send(Move, held);
    this.sentDirection = held;
  }

  private draw(): void {
    const own = this.ownEntity();
    this.worldRenderer.draw(this.net.world, own);
    if (own !== undefined) this.cameras.main.centerOn(this.positions.x(own), this.positions.y(own));
  }
}
