/**
 * A component tickwire puts on every entity it keeps records for (an owner, rooms), and never
 * removes. bitECS reports `removeEntity` only to observers of components the entity has, and an
 * owned or room-scoped entity need not be networked: this marker is how the server learns the
 * entity is gone, so a record never outlives it and an entity that reuses the id inherits nothing.
 */
export const EntityLifetime: Record<string, never> = {};
