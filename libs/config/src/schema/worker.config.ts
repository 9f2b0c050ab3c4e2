import { IntKey } from '../config-key.decorators';

/** The analysis worker (`scangate worker`, or in-process in embedded mode). */
export class WorkerSchema {
  @IntKey('Analysis jobs one worker process runs at once.', { min: 1, max: 256 })
  concurrency = 4;

  @IntKey(
    'Milliseconds a stopping worker lets its active jobs finish; jobs still running then are handed back ' +
      'to the queue for another worker.',
    { min: 0, max: 600000 },
  )
  shutdownGraceMs = 30000;

  @IntKey(
    "Milliseconds a job's lock lasts; the worker renews it while the job runs, so a worker that dies " +
      'releases its job after at most this long.',
    { min: 1000, max: 600000 },
  )
  lockDurationMs = 30000;

  @IntKey('Milliseconds between checks for stalled jobs (lock expired), which are then run again.', {
    min: 1000,
    max: 600000,
  })
  stalledIntervalMs = 30000;

  @IntKey("Port of the worker's own /metrics listener (plain HTTP, no token); 0 turns it off.", {
    min: 0,
    max: 65535,
  })
  metricsPort = 9464;
}
