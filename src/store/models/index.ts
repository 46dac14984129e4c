// Importing this registers every model, so openDatabase can build their indexes.
export * from './account';
export * from './audit';
export * from './conversation';
export * from './journal';
export * from './lookup';
export * from './claim';
export * from './message';
export * from './outbox';
export * from './template';
export * from './window-alert';
