export { startWebhook } from './webhook.server';
export type { RunningWebhook, WebhookServerOptions } from './webhook.server';
export { createAnalysis } from './analysis/analysis.factory';
export { createLogger } from './logging/logger';
export { createCertificateAuthority, issueCertificate } from './tls/certificate-authority';
export type { CertificateAuthority, PemPair } from './tls/certificate-authority';
export { ensureEmbeddedTls } from './tls/embedded-tls';
export type { ReadinessCheck } from './health/readiness';
