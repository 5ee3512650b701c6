import { type Component, componentInfo } from '../schema/component.js';
import type { Protocol } from '../schema/protocol.js';

/** Which side of the wire holds a component's typed arrays in this process. */
export type StoreSide = 'server' | 'client';

/** A server or client of this process using a protocol's component stores, while `live()`. */
export interface StoreHolder {
  readonly side: StoreSide;
  live(): boolean;
}

const holders = new WeakMap<Component, Set<StoreHolder>>();

/**
 * A component's typed arrays are the state of one world. A client and a server in one process
 * (a test, a bot, a listen server) that share a protocol object would share those arrays: the
 * client would read the server's authoritative values instead of what arrived over the wire and
 * write its interpolated ones into the server's state — silently. Refuse it when the second side
 * appears, naming the fix. A stopped server or a closed client holds nothing; claiming again
 * (a client connecting anew) is harmless.
 */
export function claimStores(protocol: Protocol, holder: StoreHolder): void {
  const side = holder.side;
  const other: StoreSide = side === 'server' ? 'client' : 'server';
  const withStores = protocol.components.filter((c) => c[componentInfo].fieldNames.length > 0);
  for (const component of withStores) {
    const set = holders.get(component) ?? new Set();
    holders.set(component, set);
    for (const held of set) {
      if (!held.live()) set.delete(held);
      else if (held.side === other) throw sharedStores(component, side, other);
    }
  }
  for (const component of withStores) holders.get(component)?.add(holder);
}

function sharedStores(component: Component, side: StoreSide, other: StoreSide): Error {
  return new Error(
    `tickwire: component ${component[componentInfo].name} is already used by a ${other} in this process; a ${side} ` +
      `sharing its typed arrays would read and write the ${other}'s state. Give the client its own copy: ` +
      '`createClient(world, cloneProtocol(protocol).protocol, …)` (tickwire/testing does this for you).',
  );
}
