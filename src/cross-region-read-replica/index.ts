export * from './cross-region-read-replica';
export * from './replica-source';
