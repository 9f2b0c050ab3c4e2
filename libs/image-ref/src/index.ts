export * from './image-ref.types';
