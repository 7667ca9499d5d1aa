export * from './common';
export * from './multi-az-postgres';
export * from './isolated-vpc';
export * from './cross-region-read-replica';
export * from './backup-replication';
export * from './db-alarm-set';
export * from './writable-probe';
export * from './route53-db-failover';
