import type { NetworkClient } from 'tickwire';

/** The netcode switches a key can flip. */
export type NetSwitches = Pick<NetworkClient, 'interpolation' | 'prediction'>;

/**
 * The HUD's comparison keys: I switches snapshot interpolation of remote entities (off: they
 * jump from tick to tick), P switches prediction of our own player (off: it moves only when the
 * server's state comes back, a render delay later). Returns true when `key` was one of them.
 */
export function toggleNetcode(net: NetSwitches, key: string): boolean {
  switch (key.toLowerCase()) {
    case 'i':
      net.interpolation.enabled = !net.interpolation.enabled;
      return true;
    case 'p':
      net.prediction.enabled = !net.prediction.enabled;
      return true;
    default:
      return false;
  }
}
