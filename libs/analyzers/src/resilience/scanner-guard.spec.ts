import { CircuitOpenError, ScannerCallAborted, ScannerError } from './scanner-errors';
import { type CircuitStateName, ScannerGuard } from './scanner-guard';

function guard(overrides: Partial<ConstructorParameters<typeof ScannerGuard>[0]> = {}) {
  const states: CircuitStateName[] = [];
  const g = new ScannerGuard({
    analyzer: 'test',
    timeoutMs: 1_000,
    retries: 2,
    breaker: { failureThreshold: 3, openMs: 60_000 },
    backoff: { initialMs: 1, maxMs: 2 },
    telemetry: { circuitState: (_analyzer, state) => states.push(state) },
    ...overrides,
  });
  return { g, states };
}

const live = () => new AbortController().signal;

describe('ScannerGuard', () => {
  it('retries transient failures and returns the first success', async () => {
    const { g } = guard();
    let calls = 0;
    const result = await g.run(async () => {
      calls += 1;
      if (calls < 3) throw new ScannerError('503', true, 503);
      return 'ok';
    }, live());
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('does not retry a permanent failure', async () => {
    const { g } = guard();
    let calls = 0;
    await expect(
      g.run(async () => {
        calls += 1;
        throw new ScannerError('401', false, 401);
      }, live()),
    ).rejects.toMatchObject({ status: 401, transient: false });
    expect(calls).toBe(1);
  });

  it('opens after consecutive transient failures, then fails fast with the time left, and reports it', async () => {
    let now = 1_000_000;
    const { g, states } = guard({ retries: 0, now: () => now });
    let calls = 0;
    const failing = async (): Promise<never> => {
      calls += 1;
      throw new ScannerError('connection refused', true);
    };
    for (let i = 0; i < 3; i++) await expect(g.run(failing, live())).rejects.toBeInstanceOf(ScannerError);
    expect(g.state).toBe('open');
    now += 20_000;
    const open = await g.run(failing, live()).catch((error: unknown) => error);
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect((open as CircuitOpenError).retryAfterMs).toBe(40_000);
    expect(calls).toBe(3);
    expect(states).toEqual(['closed', 'open']);
  });

  it('lets one trial call through after openMs and closes on its success', async () => {
    const { g, states } = guard({ retries: 0, breaker: { failureThreshold: 1, openMs: 30 } });
    await expect(g.run(() => Promise.reject(new ScannerError('down', true)), live())).rejects.toThrow('down');
    await expect(g.run(() => Promise.resolve('x'), live())).rejects.toBeInstanceOf(CircuitOpenError);
    await new Promise((resolve) => setTimeout(resolve, 60)); // the breaker's own half-open clock
    await expect(g.run(() => Promise.resolve('back'), live())).resolves.toBe('back');
    expect(states).toEqual(['closed', 'open', 'half-open', 'closed']);
  });

  it('turns a call that outlives its timeout into a transient failure and aborts its signal', async () => {
    const { g } = guard({ retries: 0, timeoutMs: 20 });
    let seen: AbortSignal | undefined;
    const error = await g
      .run(
        (signal) =>
          new Promise((_resolve, reject) => {
            seen = signal;
            signal.addEventListener('abort', () => reject(new Error('aborted by signal')));
          }),
        live(),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ScannerError', transient: true, message: 'test: no answer within 20 ms' });
    expect(seen?.aborted).toBe(true);
  });

  it("reports the caller's abort as ScannerCallAborted, without retrying or counting it", async () => {
    const { g } = guard({ breaker: { failureThreshold: 1, openMs: 60_000 } });
    const controller = new AbortController();
    let calls = 0;
    const pending = g.run(
      (signal) =>
        new Promise((_resolve, reject) => {
          calls += 1;
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      controller.signal,
    );
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ScannerCallAborted);
    expect([calls, g.state]).toEqual([1, 'closed']);
  });
});
