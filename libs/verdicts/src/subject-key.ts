import { createHash } from 'node:crypto';
import type { AnalysisSubject } from './verdict.types';

/**
 * The id of an analysis subject: hex sha256 of (analyzer, fingerprint, reference). BullMQ job
 * ids, waiters and failure entries use it; it has no `:` (BullMQ refuses those in custom ids)
 * and a fixed length whatever the reference.
 */
export function subjectKey(subject: AnalysisSubject): string {
  return createHash('sha256')
    .update(JSON.stringify([subject.analyzer, subject.fingerprint, subject.reference]))
    .digest('hex');
}
