import { ARENA, Bot, Join, Leaderboard, Player, Position, Round, ZAP_RANGE } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import * as Phaser from 'phaser';
import { type NetworkClient, Networked } from 'tickwire';
import { ChatPanel } from './chat-panel';
import { ConnectionNotice } from './connection-notice';
import { FrameLateness } from './frame-lateness';
import { Hud } from './hud';
import { KeyboardDirection } from './keyboard-direction';
import type { LaunchOptions } from './launch-options';
import { LeaderboardPanel } from './leaderboard-panel';
import { Lobby } from './lobby';
import { toggleNetcode } from './net-toggles';
import { OnlinePanel } from './online-panel';
import { OwnPlayer } from './own-player';
import { RoundPanel } from './round-panel';
import { StatusOverlay } from './status-overlay';
import { TrafficMeter } from './traffic-meter';
import { WorldRenderer } from './world-renderer';
import { Zapper } from './zapper';

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
  /** The player we control: predicted, steered by our inputs, followed by the camera. */
  readonly own: OwnPlayer;
  /** Zaps, judged by the server where we saw their targets (lag compensation). */
  readonly zapper: Zapper;
  private readonly round = new RoundPanel(element('round'), element('winner'));
  private worldRenderer!: WorldRenderer;
  private keyboard!: KeyboardDirection;
  private readonly notice: ConnectionNotice;
  private readonly traffic = new TrafficMeter();
  private readonly frames = new FrameLateness();
  readonly hud = new Hud(element('hud'));
  private readonly status = new StatusOverlay(element('status'), element('status-title'), element('status-detail'));
  private readonly leaderboard: LeaderboardPanel;
  readonly chat: ChatPanel;
  /** Chat topic, whispers and who is online (across every node of a cluster). */
  readonly lobby: Lobby;
  readonly online: OnlinePanel;
  /** Called after each frame is drawn with its rAF time, ms (the test hook's frame samplers). */
  readonly afterDraw: Array<(time: number) => void> = [];

  constructor(
    readonly net: NetworkClient,
    readonly launch: LaunchOptions,
  ) {
    super('arena');
    this.own = new OwnPlayer(net);
    this.zapper = new Zapper(net);
    this.notice = new ConnectionNotice(launch.serverUrl);
    this.leaderboard = new LeaderboardPanel(element('leaderboard'), launch.name);
    this.chat = new ChatPanel(
      element('chat-log'),
      element('chat-input'),
      element('chat-hint'),
      (text) => this.lobby.say(text),
      () => this.keyboard.release(),
    );
    this.online = new OnlinePanel(element('online'), (name) => {
      this.keyboard.release();
      this.chat.openWith(`/w ${name} `);
    });
    this.lobby = new Lobby(net, this.chat, this.online);
    window.addEventListener('keydown', (event) => {
      if (this.chat.isOpen || event.repeat) return;
      if (event.key === 'h' || event.key === 'H') this.hud.toggle();
      else if (event.key === ' ') this.zapNearest();
      else toggleNetcode(net, event.key);
    });
  }

  create(): void {
    this.worldRenderer = new WorldRenderer(this);
    this.keyboard = new KeyboardDirection(this.input.keyboard!);
    this.input.on('pointerdown', (pointer: Phaser.Input.Pointer) => {
      const at = this.cameras.main.getWorldPoint(pointer.x, pointer.y);
      this.zapper.zap(at.x, at.y, performance.now());
    });
    this.cameras.main.centerOn(ARENA.width / 2, ARENA.height / 2);
    let hiddenTimer: ReturnType<typeof setInterval> | undefined;
    document.addEventListener('visibilitychange', () => {
      clearInterval(hiddenTimer);
      hiddenTimer = document.hidden ? setInterval(() => this.runNetwork(), 200) : undefined;
    });
  }

  override update(time: number): void {
    this.frames.sample(time, performance.now());
    this.runNetwork(time);
    this.draw();
    this.status.show(this.notice.current);
    this.traffic.sample(this.net.connection.stats, time);
    this.hud.update({
      state: this.net.state,
      interpolation: this.net.interpolation.enabled,
      prediction: this.net.prediction.enabled,
      rttMs: this.net.rtt,
      minRttMs: this.net.timeSync.minRtt,
      jitterMs: this.net.timeSync.jitterMs,
      rttJitterMs: this.net.timeSync.rttJitter,
      frameLatenessMs: this.frames.latenessMs,
      delayBehindServerMs: this.net.delayBehindServerMs,
      renderDelayMs: this.net.renderDelayMs,
      pendingInputs: this.own.pendingInputs,
      serverInputQueue: this.net.connection.serverInputQueue,
      corrections: this.own.corrections,
      maxCorrection: this.own.maxCorrection,
      kbpsIn: this.traffic.kbpsIn,
      kbpsOut: this.traffic.kbpsOut,
      entities: query(this.net.world, [Networked]).length,
      serverTick: this.net.tick,
      tickRate: this.net.connection.tickRate,
    });
    for (const listener of this.afterDraw) listener(time);
  }

  /**
   * The client's network tick: `receive` (which also writes this frame's interpolated and
   * predicted positions into the store), react to events and messages, send input, `flush`.
   * Runs every rendered frame with the frame's timestamp (what is drawn is for when the frame is
   * shown, not for when this script got to run), and on a timer while the tab is hidden (browsers
   * stop rendering hidden tabs, and unread server frames would pile up until the client gave up on them).
   */
  runNetwork(frameTime = performance.now()): void {
    const { net } = this;
    net.receive(frameTime);
    for (const event of net.events()) {
      this.notice.handle(event);
      // A resumed session still has its player; a new one (first visit, or the server forgot us) needs one.
      if (event.type === 'connected' && !event.resumed) {
        this.own.forget();
        net.send(Join, { name: this.launch.name });
        this.lobby.joined();
      }
    }
    this.own.update();
    this.lobby.update();
    const rounds = net.messages(Round);
    if (rounds.length > 0) this.round.show(rounds[rounds.length - 1]!, frameTime);
    this.round.update(frameTime, net.timeSync.serverTick(frameTime), net.timeSync.tickIntervalMs);
    this.zapper.update(frameTime);
    const boards = net.messages(Leaderboard);
    if (boards.length > 0) this.leaderboard.show(boards[boards.length - 1]!);
    // Keys typed into the chat, or held while the tab is hidden, do not walk the player.
    const idle = this.chat.isOpen || document.hidden;
    this.own.steer(idle ? { x: 0, y: 0 } : this.keyboard.read(), frameTime);
    net.flush();
  }

  /** Space: zap the bot or player drawn nearest to us, within range. */
  private zapNearest(): void {
    const own = this.own.entity;
    if (own === undefined) return;
    const x = Position.x[own]!;
    const y = Position.y[own]!;
    let best = ZAP_RANGE;
    let target: { x: number; y: number } | undefined;
    for (const eid of [...query(this.net.world, [Bot, Position]), ...query(this.net.world, [Player, Position])]) {
      if (eid === own) continue;
      const d = Math.hypot(Position.x[eid]! - x, Position.y[eid]! - y);
      if (d < best) {
        best = d;
        target = { x: Position.x[eid]!, y: Position.y[eid]! };
      }
    }
    if (target) this.zapper.zap(target.x, target.y, performance.now());
  }

  private draw(): void {
    const own = this.own.entity;
    this.worldRenderer.draw(this.net.world, own, this.zapper.flashes, performance.now());
    // The store holds what to draw this frame (predicted for us, interpolated for the rest).
    if (own !== undefined) this.cameras.main.centerOn(Position.x[own]!, Position.y[own]!);
  }
}
