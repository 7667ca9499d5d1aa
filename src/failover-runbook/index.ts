export * from './failover-runbook';
