export * from './db-alarm-set';
