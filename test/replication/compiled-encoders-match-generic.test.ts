import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { componentInfo } from '../../engine-plugin/src/schema';
import { seededRandom } from '../../engine-plugin/src/transport/seeded-random';
import { makeComponents, sectionOf } from './harness';

describe('generated update writers', () => {
  it('write byte for byte what the generic writer writes, for every field kind and value range', () => {
    const s = makeComponents();
    const components = [s.Position, s.Health, s.Info];
    const compiled = new ServerReplication(s.protocol, { verifyMarks: 0 });
    const generic = new ServerReplication(s.protocol, { verifyMarks: 0, compileEncoders: false });
    const random = seededRandom(7);
    const ids = 40;
    for (const server of [compiled, generic]) {
      for (let e = 0; e < ids; e++) {
        server.spawn(e);
        // Some entities carry one component (the single-mask path), some all three.
        for (const c of e % 3 === 0 ? components : [components[e % 3]!]) server.addComponent(e, s.protocol.componentId(c));
      }
      server.addClient(1);
    }
    const extremes: Record<string, readonly number[]> = {
      u8: [0, 255],
      i8: [-128, 127],
      u16: [0, 127, 128, 65535],
      i16: [-32768, -64, 63, 32767],
      u32: [0, 4294967295],
      i32: [-2147483648, 2147483647],
    };
    for (let tick = 0; tick < 200; tick++) {
      for (let e = 0; e < ids; e++) {
        if (random() < 0.4) continue;
        for (const c of components) {
          const stores = c as unknown as Record<string, number[] | string[]>;
          for (const field of c[componentInfo].fieldNames) {
            if (random() < 0.5) continue;
            const kind = c[componentInfo].shape[field]!.kind;
            const store = stores[field]!;
            if (kind === 'string') (store as string[])[e] = ['', 'a', 'ünïcödé', 'x'.repeat(40)][Math.floor(random() * 4)]!;
            else if (kind === 'bool') (store as number[])[e] = random() < 0.5 ? 0 : 1;
            else if (kind === 'f32' || kind === 'f64') (store as number[])[e] = random() < 0.1 ? 1e12 * (random() - 0.5) : (random() - 0.5) * 400;
            else {
              const pool = extremes[kind]!;
              (store as number[])[e] = random() < 0.3 ? pool[Math.floor(random() * pool.length)]! : Math.floor(random() * 60);
            }
          }
        }
      }
      compiled.replicate(tick);
      generic.replicate(tick);
      expect(Buffer.from(sectionOf(compiled, 1)).toString('hex'), `tick ${tick}`).toBe(Buffer.from(sectionOf(generic, 1)).toString('hex'));
    }
  });
});
