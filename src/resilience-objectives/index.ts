export * from './measured-figures';
export * from './resilience-objectives';
