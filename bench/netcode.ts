/**
 * Client netcode figures over the in-memory link conditioner (deterministic: ManualClock, seeded
 * jitter): a remote entity in steady motion seen through snapshot interpolation, and a predicted
 * player walking with one input per tick while the server shoves it once (a mismatch the client
 * cannot foresee). Writes the `netcode` section of docs/benchmarks.md.
 *
 *   npx tsx bench/netcode.ts            # full run
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 ...  # seconds, nothing written
 */
import { createSim, WAN } from '../test/netcode/harness';
import { environmentLine, table, writeSection } from './report';

const smoke = process.env.BENCH_SMOKE === '1';
const seconds = smoke ? 3 : 30;

interface Link {
  readonly name: string;
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly tickRate: number;
}

const LINKS: Link[] = [
  { name: 'LAN, 20 Hz', latencyMs: 1, jitterMs: 0, tickRate: 20 },
  { name: '150 ms RTT ± 30 ms, 20 Hz', latencyMs: WAN.latencyMs, jitterMs: WAN.jitterMs, tickRate: 20 },
  { name: '150 ms RTT ± 30 ms, 60 Hz', latencyMs: WAN.latencyMs, jitterMs: WAN.jitterMs, tickRate: 60 },
  { name: '300 ms RTT ± 100 ms, 20 Hz', latencyMs: 100, jitterMs: 100, tickRate: 20 },
];

async function measure(link: Link): Promise<(string | number)[]> {
  const sim = await createSim({ tickRate: link.tickRate });
  const npc = sim.spawn(0, 0);
  const player = sim.client({ link: { conditions: { latencyMs: link.latencyMs, jitterMs: link.jitterMs } } });
  let serverEid = -1;
  let shoveAt = -1;
  sim.onTick = (tick) => {
    sim.game.Position.x[npc] = sim.game.Position.x[npc]! + 60 / link.tickRate; // 60 units/s
    if (tick === shoveAt) sim.game.Position.y[serverEid] = sim.game.Position.y[serverEid]! + 20;
  };
  await sim.run(2000);
  const own = player.own()!;
  serverEid = sim.players.get(player.net.id)!;
  const me = player.net.predict(own, { input: player.game.Move, components: [player.game.Position], step: player.game.applyMove });
  const remote = player.net.localId(npc)!;
  let previousRemote = Number.NaN;
  let previousY = Number.NaN;
  let stalls = 0;
  let reversals = 0;
  let frames = 0;
  let delaySum = 0;
  let maxVisibleStep = 0;
  let nextInput = sim.clock.now();
  const inputMs = 1000 / link.tickRate;
  player.onFrame = (now) => {
    const x = player.game.Position.x[remote]!;
    if (!Number.isNaN(previousRemote)) {
      if (x < previousRemote - 1e-6) reversals++;
      else if (x - previousRemote < 1e-6) stalls++;
    }
    previousRemote = x;
    frames++;
    delaySum += player.net.renderDelayMs;
    // The player walks along x; any motion along y is the correction of the shove becoming visible.
    const y = player.game.Position.y[own]!;
    if (!Number.isNaN(previousY)) maxVisibleStep = Math.max(maxVisibleStep, Math.abs(y - previousY));
    previousY = y;
    if (now >= nextInput) {
      me.input({ dx: 0.2, dy: 0 });
      nextInput += inputMs;
    }
  };
  shoveAt = sim.server.tick + Math.round((seconds * link.tickRate) / 2);
  await sim.run(seconds * 1000);
  const stats = player.net.interpolation.stats;
  const sampled = stats.interpolated + stats.extrapolated + stats.snapped + stats.held;
  return [
    link.name,
    Math.round(player.net.interpolation.timeline.targetDelayMs),
    Math.round(delaySum / frames),
    `${((100 * stats.extrapolated) / Math.max(1, sampled)).toFixed(2)} %`,
    stalls,
    reversals,
    me.maxCorrection.toFixed(2),
    maxVisibleStep.toFixed(2),
  ];
}

const rows: (string | number)[][] = [];
for (const link of LINKS) rows.push(await measure(link));

const md = [
  '## Client netcode',
  '',
  environmentLine(),
  '',
  `\`npx tsx bench/netcode.ts\`: in-memory link conditioner with a ManualClock, client at 60 fps, ${seconds} s per row${smoke ? ' (smoke run)' : ''}. ` +
    'A remote entity moves at 60 units/s (interpolated); the local player walks with one input per tick (predicted) and is shoved 20 units by the server once, half-way.',
  '',
  table(
    [
      'link',
      'target delay (ms)',
      'mean render delay (ms)',
      'extrapolated samples',
      'stalls',
      'backward steps',
      'max correction (units)',
      'largest visible correction step per frame (units)',
    ],
    rows,
  ),
  '',
  'Render delay is measured behind the arrival line (the fastest-path arrival of each tick). Stalls are frames where the remote entity did not move, ' +
    'backward steps frames where it moved back. The correction is the 20-unit shove; its largest per-frame step shows it spread over many frames rather than snapped.',
].join('\n');

writeSection('netcode', md);
