export * from './bytes.js';
export * from './close-codes.js';
export * from './frames.js';
export * from './protocol-error.js';
