export * from './multi-region-postgres';
export * from './dr-secret-key';
export * from './deploy-parameters';
export * from './failback';
