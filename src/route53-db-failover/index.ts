export * from './route53-db-failover';
