import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { seededRandom } from '../../engine-plugin/src/transport/seeded-random';
import { makeComponents, scrambleFields, sectionOf } from './harness';

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
    for (let tick = 0; tick < 200; tick++) {
      scrambleFields(components, ids, random);
      compiled.replicate(tick);
      generic.replicate(tick);
      expect(Buffer.from(sectionOf(compiled, 1)).toString('hex'), `tick ${tick}`).toBe(Buffer.from(sectionOf(generic, 1)).toString('hex'));
    }
  });
});
