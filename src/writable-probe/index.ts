export * from './writable-probe';
export * from './db-probe-function';
