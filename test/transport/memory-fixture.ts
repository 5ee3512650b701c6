import { ManualClock } from '../../engine-plugin/src/transport/clock';
import type { DirectionalLinkConditions, LinkConditions } from '../../engine-plugin/src/transport/link-conditioner';
import { createMemoryNetwork, type MemoryClientTransport, type MemoryNetwork, type MemorySocket } from '../../engine-plugin/src/transport/memory';
import { type AcceptedConnection, type Recorder, type RecordingHost, recorder, recordingHost } from './recorders';

/** A client connected over an in-memory network on a ManualClock, with both ends recorded. */
export interface MemoryPair {
  readonly clock: ManualClock;
  readonly network: MemoryNetwork;
  readonly host: RecordingHost;
  readonly transport: MemoryClientTransport;
  readonly client: MemorySocket;
  readonly onClient: Recorder;
  readonly server: AcceptedConnection;
}

/** Start a server, connect one client over a link with `conditions`, and run the clock until it is open. */
export async function connectedPair(conditions?: LinkConditions | DirectionalLinkConditions, seed?: number): Promise<MemoryPair> {
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock, seed });
  const host = recordingHost();
  await network.server().start(host);
  const transport = network.client({ conditions });
  const onClient = recorder();
  const client = transport.open(onClient);
  for (let waited = 0; onClient.opens === 0; waited++) {
    if (waited > 100_000) throw new Error('memory client never opened');
    clock.advance(1);
  }
  return { clock, network, host, transport, client, onClient, server: host.accepted[0]! };
}
