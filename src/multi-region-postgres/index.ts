export * from './multi-region-postgres';
