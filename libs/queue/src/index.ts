export * from './analysis-queue.port';
