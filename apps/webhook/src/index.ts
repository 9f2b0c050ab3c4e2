export { startWebhook } from './webhook.server';
export type { RunningWebhook, WebhookServerOptions } from './webhook.server';
export { createAnalyzer } from './analysis/analysis.factory';
export { createAnalysisRuntime } from './analysis/analysis-runtime';
export type { AnalysisRuntime } from './analysis/analysis-runtime';
export { CachedImageAnalysis } from './analysis/cached-analysis';
export type { AnalyzerIdentity } from './analysis/cached-analysis';
export { createCertificateAuthority, issueCertificate, KEY_TYPES } from './tls/certificate-authority';
export type { CertificateAuthority, KeyType, PemPair } from './tls/certificate-authority';
export { ensureEmbeddedTls } from './tls/embedded-tls';
export type { ReadinessCheck } from './health/readiness';
export { createMetricsRegistry } from './metrics/metrics.registry';
// Re-exported so callers of the webhook package need no second import for its logger.
export { createLogger } from '@scangate/logging';
