export * from './analysis-queue.port';
export * from './analysis-queue.contract';
export {
  type AnalysisBullQueue,
  BullAnalysisQueue,
  type BullAnalysisQueueOptions,
  toStatus,
} from './bull-analysis-queue';
export {
  type AnalysisAttemptEvent,
  type AnalysisRunner,
  InProcessAnalysisQueue,
  type InProcessAnalysisQueueOptions,
} from './in-process-analysis-queue';
export { settlesWithin } from './settles-within';
