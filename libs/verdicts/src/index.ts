export * from './verdict.types';
export * from './verdict-store.port';
