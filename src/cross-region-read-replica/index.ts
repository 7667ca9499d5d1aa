export * from './cross-region-read-replica';
export * from './replica-promotion';
export * from './replica-source';
