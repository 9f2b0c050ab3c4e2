import { createHash, timingSafeEqual } from 'node:crypto';
import { ClairClient, consumeNotification, ScannerGuard } from '@scangate/analyzers';
import type { AnalyzerConfig, ClairConfig } from '@scangate/config';
import type { AnalysisQueue } from '@scangate/queue';
import type { FlushResult, Verdict, VerdictStore } from '@scangate/verdicts';
import axios, { type AxiosInstance } from 'axios';
import type { AnalyzerIdentity } from '../analysis/cached-analysis';

/** What one delivery did; the receiver's 200 body. */
export interface ClairNotificationResult {
  readonly notificationId: string;
  /** False for a redelivery of a notification Clair already deleted. */
  readonly found: boolean;
  readonly manifests: number;
  readonly flushed: FlushResult;
  /** Forced analyses queued for the affected images (0 without an analyzer queue). */
  readonly requeued: number;
}

/** A verdict listing scans at most this many (the admin API's own listing limit). */
const MAX_SCANNED = 1000;
/** Reading, flushing and deleting one notification; Clair redelivers on anything but a 200. */
const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * Clair's notifier webhook (CONTRACTS.md §2.7): a notification names manifests whose
 * vulnerabilities changed; their verdicts are dropped (a deny may now be an allow or the reverse)
 * and re-analysed at once, then the notification is deleted in Clair.
 */
export class ClairNotifications {
  private readonly client: ClairClient;
  private readonly expectedToken?: Buffer;

  constructor(
    private readonly config: ClairConfig,
    analyzer: Pick<AnalyzerConfig, 'requestTimeoutMs' | 'retries'>,
    private readonly store: VerdictStore,
    private readonly queue?: AnalysisQueue,
    private readonly identity?: AnalyzerIdentity,
    http: AxiosInstance = axios.create(),
  ) {
    // A guard of its own: the notifier's calls must not open the worker's breaker, nor wait on it.
    const guard = new ScannerGuard({
      analyzer: 'clair-notifier',
      timeoutMs: analyzer.requestTimeoutMs,
      retries: analyzer.retries,
      breaker: { failureThreshold: 1_000, openMs: 1_000 },
    });
    this.client = new ClairClient(config, { http, guard });
    if (config.notifier.token) this.expectedToken = createHash('sha256').update(config.notifier.token).digest();
  }

  /** The request header Clair sends the shared secret in. */
  get header(): string {
    return this.config.notifier.header;
  }

  /** False when no token is configured: the endpoint is off (404). */
  get enabled(): boolean {
    return this.expectedToken !== undefined;
  }

  /** Constant-time comparison of hashes (neither content nor length leaks through timing). */
  authenticates(presented: string | undefined): boolean {
    if (!this.expectedToken || !presented) return false;
    return timingSafeEqual(createHash('sha256').update(presented).digest(), this.expectedToken);
  }

  async deliver(notificationId: string): Promise<ClairNotificationResult> {
    let flushed: FlushResult = { verdicts: 0, tags: 0 };
    let requeued = 0;
    const affected = await consumeNotification(
      this.client,
      notificationId,
      this.config.notifier.pageSize,
      async (digests) => {
        const outcome = await this.invalidate(digests);
        flushed = outcome.flushed;
        requeued = outcome.requeued;
      },
      AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    );
    return { notificationId, found: affected.found, manifests: affected.digests.length, flushed, requeued };
  }

  /**
   * Drops every verdict about the manifests, including a multi-arch image's verdict that names one
   * of them among its `platformDigests`, then queues a forced analysis of each dropped image
   * under every repository it was analysed in.
   */
  private async invalidate(manifests: readonly string[]): Promise<{ flushed: FlushResult; requeued: number }> {
    const wanted = new Set(manifests);
    const recent = await this.store.listVerdicts({ kind: 'all' }, MAX_SCANNED);
    const direct = await Promise.all(
      manifests.map((digest) => this.store.listVerdicts({ kind: 'digest', digest }, MAX_SCANNED)),
    );
    const dropped = new Map<string, Verdict>();
    for (const verdict of [...direct.flat(), ...recent]) {
      if (wanted.has(verdict.digest) || verdict.platformDigests?.some((digest) => wanted.has(digest))) {
        dropped.set(`${verdict.digest} ${verdict.analyzer} ${verdict.fingerprint}`, verdict);
      }
    }
    const digests = new Set([...manifests, ...[...dropped.values()].map((verdict) => verdict.digest)]);
    let verdicts = 0;
    let tags = 0;
    for (const digest of digests) {
      const result = await this.store.flush({ kind: 'digest', digest });
      verdicts += result.verdicts;
      tags += result.tags;
    }
    return { flushed: { verdicts, tags }, requeued: await this.requeue([...dropped.values()]) };
  }

  private async requeue(verdicts: readonly Verdict[]): Promise<number> {
    const { queue, identity } = this;
    if (!queue || !identity) return 0;
    const references = new Set<string>();
    for (const verdict of verdicts) {
      if (verdict.analyzer !== identity.name || verdict.fingerprint !== identity.fingerprint) continue;
      for (const repository of verdict.repositories) references.add(`${repository}@${verdict.digest}`);
    }
    for (const reference of references) {
      await queue.enqueue({ reference, analyzer: identity.name, fingerprint: identity.fingerprint }, { force: true });
    }
    return references.size;
  }
}
