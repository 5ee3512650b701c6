/**
 * Replication: server-side change detection, interest and per-tick encoding; client-side apply
 * through a server-id → local-id map. See docs/architecture.md ("Replication") and
 * docs/protocol.md ("State section").
 */
export { type AuthoritativeComponent, ClientReplication, type EntitySink, type UpdateListener } from './client-replication.js';
export { type ComponentLayout, FieldCode, type FieldCodeValue, type FieldLayout, layoutComponents, quantize } from './component-layout.js';
export type { NaNValue, Tracking, UnmarkedChange } from './change-detection.js';
export type { InterestFilter } from './interest.js';
export { ServerReplication, type ServerReplicationOptions, type SpatialOptions } from './server-replication.js';
export { SNAPSHOT_FLAG } from './state-section.js';
