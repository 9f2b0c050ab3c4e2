export * from './analyzer.port';
export * from './registry-resolver.port';
