export * from './component.js';
export * from './fields.js';
export * from './message.js';
export * from './message-codec.js';
export * from './protocol.js';
export * from './system-messages.js';
export * from './validate.js';
