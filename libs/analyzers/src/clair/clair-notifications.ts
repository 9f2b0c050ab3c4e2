import type { ClairClient } from './clair-client';

export interface AffectedManifests {
  /** Manifest digests named by the notification's pages (added or removed vulnerabilities). */
  readonly digests: readonly string[];
  /** False when Clair no longer had the notification (already consumed: a redelivery). */
  readonly found: boolean;
}

/** Upper bound on pages read for one notification (Clair pages are up to 1000 entries). */
const MAX_PAGES = 10_000;

/**
 * Reads every page of a Clair notification (CONTRACTS.md §2.7) and returns the distinct manifest
 * digests it names. The pages come from Clair's own URL (config.url), never from the `callback`
 * a webhook body carries.
 */
export async function readNotification(
  client: ClairClient,
  id: string,
  pageSize: number,
  signal: AbortSignal,
): Promise<AffectedManifests> {
  const digests = new Set<string>();
  let next: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await client.notificationPage(id, pageSize, next, signal);
    // Clair 4.9 answers an unknown or consumed id with an empty page (and a DELETE of an unknown
    // one with 500 "no receipt"): an empty first page means there is nothing left to do.
    if (!page || (pages === 0 && (page.notifications ?? []).length === 0))
      return { digests: [...digests], found: pages > 0 };
    for (const notification of page.notifications ?? []) {
      if (typeof notification.manifest === 'string' && notification.manifest !== '') digests.add(notification.manifest);
    }
    // The last page has no `next`; an unchanged token would loop forever.
    if (!page.page.next || page.page.next === next) break;
    next = page.page.next;
  }
  return { digests: [...digests], found: true };
}

/**
 * Handles one notification: `onAffected` drops the verdicts of the affected manifests (and
 * re-queues them), then the notification is deleted. Any failure throws before the delete, so
 * the receiver answers non-200 and Clair delivers again; a redelivery of a consumed notification
 * finds nothing and succeeds.
 */
export async function consumeNotification(
  client: ClairClient,
  id: string,
  pageSize: number,
  onAffected: (digests: readonly string[]) => Promise<void>,
  signal: AbortSignal,
): Promise<AffectedManifests> {
  const affected = await readNotification(client, id, pageSize, signal);
  if (!affected.found) return affected;
  if (affected.digests.length > 0) await onAffected(affected.digests);
  await client.deleteNotification(id, signal);
  return affected;
}
