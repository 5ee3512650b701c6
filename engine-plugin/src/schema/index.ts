export * from './component';
export * from './fields';
export * from './message';
export * from './message-codec';
export * from './protocol';
export * from './system-messages';
export * from './validate';
