export * from './kube.types';
