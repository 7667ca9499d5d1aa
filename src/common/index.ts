export * from './postgres-instance-base';
export * from './tls';
export * from './instance-options';
export * from './warnings';
export * from './postgres-instance';
export * from './connect-grant';
