export * from './postgres-instance-base';
