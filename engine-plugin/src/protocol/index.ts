export * from './bytes';
export * from './close-codes';
export * from './frames';
export * from './protocol-error';
