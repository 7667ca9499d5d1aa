export * from './backup-replication';
export * from './dr-backup-vault';
