import { isIP } from 'node:net';
import { createCertificateAuthority, issueCertificate } from '@scangate/webhook';
import type { KeyType } from '@scangate/webhook';

/** The CA outlives many serving certificates: rotate the leaf yearly without touching caBundle. */
export const CA_VALID_DAYS = 3650;
export const SERVING_VALID_DAYS = 365;

export interface ServingCertificateRequest {
  readonly service: string;
  readonly namespace: string;
  /** Extra DNS names or IP addresses. */
  readonly extraNames?: readonly string[];
  /** Lifetime of the serving certificate; the CA lives CA_VALID_DAYS (or longer, to cover it). */
  readonly days?: number;
  readonly keyType?: KeyType;
}

/** The four files of a `kubernetes.io/tls` secret plus its CA, by their conventional names. */
export interface ServingCertificates {
  readonly 'ca.crt': string;
  readonly 'ca.key': string;
  readonly 'tls.crt': string;
  readonly 'tls.key': string;
}

/**
 * The names the API server may use for a Service-backed webhook: it calls
 * `https://NAME.NS.svc:PORT`; the others cover in-cluster clients and curl checks.
 */
export function serviceNames(service: string, namespace: string, extraNames: readonly string[] = []): string[] {
  const names = [
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    service,
    `${service}.${namespace}`,
    ...extraNames,
  ];
  return [...new Set(names)];
}

/** Checks what the flags say before any key is made; returns what is wrong (empty when fine). */
export function servingRequestProblems(request: ServingCertificateRequest): string[] {
  const problems: string[] = [];
  const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (!label.test(request.service) || request.service.length > 63) {
    problems.push(`--service ${JSON.stringify(request.service)} is not a Kubernetes Service name (DNS-1035 label)`);
  }
  if (!label.test(request.namespace) || request.namespace.length > 63) {
    problems.push(
      `--namespace ${JSON.stringify(request.namespace)} is not a Kubernetes namespace name (DNS-1123 label)`,
    );
  }
  const hostname = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;
  for (const name of request.extraNames ?? []) {
    if (isIP(name) === 0 && !hostname.test(name))
      problems.push(`--san ${JSON.stringify(name)} is neither a DNS name nor an IP address`);
  }
  const days = request.days ?? SERVING_VALID_DAYS;
  if (!Number.isInteger(days) || days < 1)
    problems.push(`--days must be a whole number of days ≥ 1 (got ${String(request.days)})`);
  return problems;
}

/** A fresh CA and a serving certificate for the Service, signed by it. */
export async function createServingCertificates(request: ServingCertificateRequest): Promise<ServingCertificates> {
  const days = request.days ?? SERVING_VALID_DAYS;
  const keyType = request.keyType ?? 'ecdsa-p256';
  const ca = await createCertificateAuthority(
    `scangate CA for ${request.service}.${request.namespace}`,
    Math.max(CA_VALID_DAYS, days),
    keyType,
  );
  const leaf = await issueCertificate(ca, {
    commonName: `${request.service}.${request.namespace}.svc`,
    names: serviceNames(request.service, request.namespace, request.extraNames),
    usage: 'server',
    validDays: days,
    keyType,
  });
  return { 'ca.crt': ca.certPem, 'ca.key': ca.keyPem, 'tls.crt': leaf.certPem, 'tls.key': leaf.keyPem };
}
