/**
 * The marker that makes an entity replicate: `addComponent(world, eid, Networked)` on the server.
 * Registered components of a Networked entity are sent to every client that may see it. On the
 * client, replicated entities carry it too, so `query(world, [Networked, Position])` finds them.
 */
export const Networked: Record<string, never> = {};
