import { X509Certificate } from 'node:crypto';

/** Where the API server calls scangate: a Service in the cluster, or a URL (scangate outside it). */
export type WebhookTarget =
  | {
      readonly kind: 'service';
      readonly name: string;
      readonly namespace: string;
      readonly path: string;
      readonly port: number;
    }
  | { readonly kind: 'url'; readonly url: string };

export type FailurePolicy = 'Fail' | 'Ignore';

export interface WebhookManifestOptions {
  /** metadata.name of the ValidatingWebhookConfiguration. */
  readonly name: string;
  readonly target: WebhookTarget;
  /** PEM of the CA that signed scangate's serving certificate. */
  readonly caPem: string;
  readonly failurePolicy: FailurePolicy;
  readonly timeoutSeconds: number;
  /** admission.waitBudgetMs: scangate answers within it, so the API server must wait longer. */
  readonly waitBudgetMs: number;
  /** Namespaces the API server must not send at all (exact names; scangate's own is added). */
  readonly exemptNamespaces: readonly string[];
}

/** The single webhook's name: v1 requires a fully qualified name of at least three labels. */
export const WEBHOOK_NAME = 'images.scangate.io';
export const DEFAULT_PATH = '/validate';
export const DEFAULT_PORT = 443;
export const DEFAULT_TIMEOUT_SECONDS = 10;
/** The API server's own bounds for timeoutSeconds. */
export const MAX_TIMEOUT_SECONDS = 30;

/** The label the API server sets on every namespace from its name; no user can change it. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Every kind PRODUCT §3.2 reads images from. Rules carry apiVersions ["*"] so batch/v1beta1
 * CronJobs (still served by old clusters) are sent too; Pods alone would catch everything
 * eventually, but the workload rules put the denial on the `kubectl apply` user, not a controller.
 */
export const WEBHOOK_RULES = [
  {
    apiGroups: [''],
    apiVersions: ['*'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['pods', 'podtemplates', 'replicationcontrollers'],
    scope: 'Namespaced',
  },
  {
    apiGroups: [''],
    apiVersions: ['*'],
    operations: ['UPDATE'],
    resources: ['pods/ephemeralcontainers'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['apps'],
    apiVersions: ['*'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['batch'],
    apiVersions: ['*'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['jobs', 'cronjobs'],
    scope: 'Namespaced',
  },
] as const;

export class WebhookManifestError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n  '));
  }
}

export type ValidatingWebhookConfiguration = ReturnType<typeof buildValidatingWebhookConfiguration>;

/**
 * The ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1, CONTRACTS §4.4) for
 * scangate. Every field the API server would default is written out, so what `register` reads
 * back compares equal when nothing changed. Throws WebhookManifestError naming every problem.
 */
export function buildValidatingWebhookConfiguration(options: WebhookManifestOptions) {
  const problems = manifestProblems(options);
  if (problems.length > 0) throw new WebhookManifestError(problems);
  const excluded = excludedNamespaces(options);
  const caBundle = Buffer.from(options.caPem).toString('base64');
  const clientConfig =
    options.target.kind === 'url'
      ? { url: options.target.url, caBundle }
      : {
          service: {
            namespace: options.target.namespace,
            name: options.target.name,
            path: options.target.path,
            port: options.target.port,
          },
          caBundle,
        };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: {
      name: options.name,
      labels: { 'app.kubernetes.io/name': 'scangate', 'app.kubernetes.io/managed-by': 'scangate-cli' },
    },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        clientConfig,
        rules: WEBHOOK_RULES.map((rule) => ({
          ...rule,
          apiGroups: [...rule.apiGroups],
          apiVersions: [...rule.apiVersions],
          operations: [...rule.operations],
          resources: [...rule.resources],
        })),
        failurePolicy: options.failurePolicy,
        matchPolicy: 'Equivalent',
        namespaceSelector:
          excluded.length === 0
            ? {}
            : { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: excluded }] },
        objectSelector: {},
        sideEffects: 'NoneOnDryRun',
        timeoutSeconds: options.timeoutSeconds,
        admissionReviewVersions: ['v1', 'v1beta1'],
      },
    ],
  };
}

/** scangate's own namespace (it must never wait on itself) and the exempt ones, without `*` patterns. */
export function excludedNamespaces(options: Pick<WebhookManifestOptions, 'target' | 'exemptNamespaces'>): string[] {
  const own = options.target.kind === 'service' ? [options.target.namespace] : [];
  return [...new Set([...own, ...options.exemptNamespaces.filter((name) => !name.includes('*'))])].sort();
}

/** Everything wrong with the options, as messages naming the flag to change. */
export function manifestProblems(options: WebhookManifestOptions): string[] {
  const problems: string[] = [];
  const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  if (!dnsSubdomain.test(options.name) || options.name.length > 253) {
    problems.push(`--name ${JSON.stringify(options.name)} is not a valid object name (lower-case DNS subdomain)`);
  }
  problems.push(...targetProblems(options.target));
  try {
    const certificate = new X509Certificate(options.caPem);
    if (!certificate.ca)
      problems.push(
        '--ca-file holds a certificate that is not a CA (basicConstraints CA:TRUE): pass ca.crt, not tls.crt',
      );
  } catch {
    problems.push('--ca-file does not hold a PEM certificate');
  }
  const { timeoutSeconds, waitBudgetMs } = options;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    problems.push(
      `--timeout-seconds must be a whole number from 1 to ${MAX_TIMEOUT_SECONDS} (got ${String(timeoutSeconds)})`,
    );
  } else if (timeoutSeconds * 1000 <= waitBudgetMs) {
    problems.push(
      `--timeout-seconds ${timeoutSeconds} must exceed admission.waitBudgetMs (${waitBudgetMs} ms): the API server would give up ` +
        `before scangate answers; use at least ${Math.floor(waitBudgetMs / 1000) + 1} or lower admission.waitBudgetMs`,
    );
  }
  for (const name of options.exemptNamespaces) {
    if (!name.includes('*') && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      problems.push(`exempt namespace ${JSON.stringify(name)} is not a namespace name`);
    }
  }
  return problems;
}

function targetProblems(target: WebhookTarget): string[] {
  if (target.kind === 'service') {
    const problems: string[] = [];
    const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    if (!label.test(target.name)) problems.push(`--service ${JSON.stringify(target.name)} is not a Service name`);
    if (!label.test(target.namespace))
      problems.push(`--namespace ${JSON.stringify(target.namespace)} is not a namespace name`);
    if (!target.path.startsWith('/')) problems.push(`--path must start with / (got ${JSON.stringify(target.path)})`);
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      problems.push(`--port must be from 1 to 65535 (got ${String(target.port)})`);
    }
    return problems;
  }
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return [`--url ${JSON.stringify(target.url)} is not a URL`];
  }
  // The API server's own checks on clientConfig.url (CONTRACTS §4.4).
  const problems: string[] = [];
  if (url.protocol !== 'https:') problems.push('--url must use https://');
  if (url.username !== '' || url.password !== '') problems.push('--url must not carry user:password');
  if (url.search !== '' || target.url.includes('?')) problems.push('--url must not carry a ?query');
  if (url.hash !== '' || target.url.includes('#')) problems.push('--url must not carry a #fragment');
  return problems;
}
