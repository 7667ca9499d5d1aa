export * from './isolated-vpc';
