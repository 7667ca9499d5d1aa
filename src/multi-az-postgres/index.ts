export * from './multi-az-postgres';
