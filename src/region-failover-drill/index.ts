export * from './region-failover-drill';
