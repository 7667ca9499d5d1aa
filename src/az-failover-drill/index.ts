export * from './az-failover-drill';
