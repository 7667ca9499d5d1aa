export * from './writable-probe';
