import type { Analyzer, AnalyzerResult } from '@scangate/analysis';
import type { AnchoreConfig } from '@scangate/config';
import type { AnalyzerDeps } from '../analyzer-deps';

// Placeholder until the Anchore adapter lands (this branch only; never merged as is).
export class AnchoreAnalyzer implements Analyzer {
  readonly name = 'anchore';
  readonly fingerprint = 'unimplemented';
  constructor(
    readonly config: AnchoreConfig,
    readonly deps: AnalyzerDeps,
  ) {}
  analyze(): Promise<AnalyzerResult> {
    return Promise.resolve({ kind: 'failure', transient: false, reason: 'anchore adapter not implemented' });
  }
}
