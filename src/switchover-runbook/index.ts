export * from './sql-agent';
export * from './switchover-runbook';
