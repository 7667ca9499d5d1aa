export * from './resilience-objectives';
