/** Injection tokens of the worker's Nest module (ports and values without a class of their own). */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const WORKER_LOGGER = Symbol('WORKER_LOGGER');
/** The ioredis connection BullMQ's Worker uses (role `queue`); the worker quits it on shutdown. */
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');
/** Whether the verdict store was created here (and is closed here) or handed in by the caller. */
export const OWNS_STORE = Symbol('OWNS_STORE');
/** AnalysisMetrics recording each attempt, exposed on the worker's /metrics listener. */
export const WORKER_METRICS = Symbol('WORKER_METRICS');
/** The analyzer port the analysis service calls (Anchore, Clair, or a test's). */
export const ANALYZER = Symbol('ANALYZER');
