export * from './types';
export * from './route53-db-failover';
