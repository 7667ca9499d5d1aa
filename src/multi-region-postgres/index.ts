export * from './multi-region-postgres';
export * from './dr-secret-key';
