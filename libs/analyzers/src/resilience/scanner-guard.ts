import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { CircuitOpenError, ScannerCallAborted, ScannerError } from './scanner-errors';

export type CircuitStateName = 'closed' | 'open' | 'half-open';

/** Where the breaker reports its state (the worker's `scangate_analyzer_circuit_state` gauge). */
export interface AnalyzerTelemetry {
  circuitState(analyzer: string, state: CircuitStateName): void;
}

export interface ScannerGuardOptions {
  /** The analyzer's name (`clair`, `anchore`): the metric label and error messages. */
  readonly analyzer: string;
  /** Default timeout of one call; a call may ask for its own (Clair's synchronous indexing). */
  readonly timeoutMs: number;
  /** Retries after a transient failure, with exponential backoff. */
  readonly retries: number;
  readonly breaker: { readonly failureThreshold: number; readonly openMs: number };
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly telemetry?: AnalyzerTelemetry;
  readonly now?: () => number;
}

const DEFAULT_BACKOFF = { initialMs: 200, maxMs: 5_000 };

/**
 * Every call an adapter makes to its scanner goes through one guard: a timeout per call, retries
 * with exponential backoff for transient failures, and a circuit breaker shared by all calls of
 * the analyzer. While the circuit is open calls fail at once with CircuitOpenError, which the
 * adapter turns into `pending` so that jobs are delayed rather than burned.
 */
export class ScannerGuard {
  private readonly policy: IPolicy;
  private readonly now: () => number;
  private openedAt = 0;
  private stateName: CircuitStateName = 'closed';

  constructor(private readonly options: ScannerGuardOptions) {
    this.now = options.now ?? Date.now;
    const isTransient = handleWhen((error) => error instanceof ScannerError && error.transient);
    const breaker = circuitBreaker(isTransient, {
      halfOpenAfter: options.breaker.openMs,
      breaker: new ConsecutiveBreaker(options.breaker.failureThreshold),
    });
    breaker.onStateChange((state) => this.changed(state));
    const backoff = options.backoff ?? DEFAULT_BACKOFF;
    const retries = retry(isTransient, {
      maxAttempts: options.retries,
      backoff: new ExponentialBackoff({ initialDelay: backoff.initialMs, maxDelay: backoff.maxMs }),
    });
    this.policy = wrap(retries, breaker);
    options.telemetry?.circuitState(options.analyzer, 'closed');
  }

  get state(): CircuitStateName {
    return this.stateName;
  }

  /**
   * Runs `call` with a signal that aborts at the timeout or when `signal` does. A timeout becomes
   * a transient ScannerError; the caller's abort becomes ScannerCallAborted (not counted).
   */
  async run<T>(call: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, timeoutMs?: number): Promise<T> {
    const limit = timeoutMs ?? this.options.timeoutMs;
    try {
      return await this.policy.execute(async () => {
        if (signal.aborted) throw new ScannerCallAborted();
        const deadline = AbortSignal.timeout(limit);
        try {
          return await call(AbortSignal.any([signal, deadline]));
        } catch (error) {
          if (signal.aborted) throw new ScannerCallAborted();
          if (deadline.aborted) throw new ScannerError(`${this.options.analyzer}: no answer within ${limit} ms`, true);
          throw error;
        }
      }, signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new CircuitOpenError(this.options.analyzer, this.remainingOpenMs());
      }
      if (signal.aborted && !(error instanceof ScannerError)) throw new ScannerCallAborted();
      throw error;
    }
  }

  private remainingOpenMs(): number {
    // Half-open (a trial call in flight) or just opened: try again after a short wait.
    const left = this.openedAt + this.options.breaker.openMs - this.now();
    return Math.max(left, 1_000);
  }

  private changed(state: CircuitState): void {
    const name: CircuitStateName =
      state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
    if (name === 'open') this.openedAt = this.now();
    this.stateName = name;
    this.options.telemetry?.circuitState(this.options.analyzer, name);
  }
}
