export * from './postgres-instance-base';
export * from './tls';
