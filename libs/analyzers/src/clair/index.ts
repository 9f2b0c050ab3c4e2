import type { Analyzer, AnalyzerResult } from '@scangate/analysis';
import type { ClairConfig } from '@scangate/config';
import type { AnalyzerDeps } from '../analyzer-deps';

// Placeholder until the Clair adapter lands (this branch only; never merged as is).
export class ClairAnalyzer implements Analyzer {
  readonly name = 'clair';
  readonly fingerprint = 'unimplemented';
  constructor(
    readonly config: ClairConfig,
    readonly deps: AnalyzerDeps,
  ) {}
  analyze(): Promise<AnalyzerResult> {
    return Promise.resolve({ kind: 'failure', transient: false, reason: 'clair adapter not implemented' });
  }
}
