export * from './promotion-role';
