/** A rig over real ws sockets on 127.0.0.1 that also tells its port, for raw sockets and HTTP requests. */
import type { Protocol, ServerOptions } from '../../../engine-plugin/src/index';
import { type Rig, startRig } from '../../support/rig';

/** A {@link Rig} over ws, with its port known. */
export interface WsRig extends Rig {
  readonly port: number;
}

/** Start a server over real ws sockets (see {@link startRig}). */
export async function startWsRig(protocol: Protocol, options: Partial<ServerOptions> = {}): Promise<WsRig> {
  const rig = await startRig('ws', protocol, options);
  if (rig.port === undefined) throw new Error('a ws rig always has a port');
  return rig as WsRig;
}
