// Importing this registers every model on the default connection, so openDatabase can build their
// indexes; the journal's models live on a database of their own, and openDatabase names them itself.
export * from './account';
export * from './audit';
export * from './conversation';
export * from './journal';
export * from './key-check';
export * from './lease';
export * from './message';
export * from './outbox';
export * from './saved-reply';
export * from './template';
export * from './window-alert';
export * from './sla-clock';
export * from './unhandled-webhook';
export * from './metric-event';
