export { AnchoreAnalyzer, anchoreFingerprint } from './anchore.analyzer';
export { anchorePullString, anchoreRepository, anchoreTag } from './anchore-reference';
