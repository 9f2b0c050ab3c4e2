import { subjectKey } from './subject-key';
import type { AnalysisSubject, SubjectOutcome } from './verdict.types';

type Wake = (outcome: SubjectOutcome | undefined) => void;

/**
 * Admissions waiting for a subject's outcome, in this process. Each wait ends exactly once: woken
 * by an outcome, at its deadline (a timer, not a polling loop), or by `endAll` on close; it then
 * removes itself.
 */
export class Waiters {
  private readonly bySubject = new Map<string, { readonly subject: AnalysisSubject; readonly wakes: Set<Wake> }>();

  /** Registers a wait; the promise never rejects. */
  wait(
    subject: AnalysisSubject,
    deadline: number,
    now: number,
  ): { readonly key: string; readonly promise: Promise<SubjectOutcome | undefined> } {
    const key = subjectKey(subject);
    if (deadline <= now) return { key, promise: Promise.resolve(undefined) };
    const promise = new Promise<SubjectOutcome | undefined>((resolve) => {
      let entry = this.bySubject.get(key);
      if (!entry) {
        entry = { subject, wakes: new Set() };
        this.bySubject.set(key, entry);
      }
      const { wakes } = entry;
      const wake: Wake = (outcome) => {
        clearTimeout(timer);
        wakes.delete(wake);
        if (wakes.size === 0 && this.bySubject.get(key)?.wakes === wakes) this.bySubject.delete(key);
        resolve(outcome);
      };
      const timer = setTimeout(() => wake(undefined), deadline - now);
      wakes.add(wake);
    });
    return { key, promise };
  }

  /** Wakes every waiter of the subject with `outcome`. */
  wake(key: string, outcome: SubjectOutcome): void {
    const entry = this.bySubject.get(key);
    if (entry) for (const wake of [...entry.wakes]) wake(outcome);
  }

  has(key: string): boolean {
    return this.bySubject.has(key);
  }

  /** Subjects someone waits for. */
  subjects(): AnalysisSubject[] {
    return [...this.bySubject.values()].map((entry) => entry.subject);
  }

  /** Pending waits (all subjects). */
  get size(): number {
    let count = 0;
    for (const entry of this.bySubject.values()) count += entry.wakes.size;
    return count;
  }

  /** Ends every wait with undefined (the store is closing). */
  endAll(): void {
    for (const entry of [...this.bySubject.values()]) for (const wake of [...entry.wakes]) wake(undefined);
  }
}
