export { type RunningWorker, startWorker, type StartWorkerOptions, WorkerStartError } from './start-worker';
export { WorkerModule, type WorkerModuleOptions } from './worker.module';
export { ScanProcessor, type ScanProcessorConfig } from './scan.processor';
