import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfigOrExit } from '../io/load-config';
import { KubeApiError, KubeClient } from '../kube/kube-client';
import { KubeConfigError, loadKubeConnection } from '../kube/kubeconfig';
import { registerWebhookConfiguration } from '../kube/register-webhook';
import type { FailurePolicy, WebhookManifestOptions, WebhookTarget } from '../kube/validating-webhook-configuration';
import {
  DEFAULT_PATH,
  DEFAULT_PORT,
  DEFAULT_TIMEOUT_SECONDS,
  WebhookManifestError,
  buildValidatingWebhookConfiguration,
} from '../kube/validating-webhook-configuration';

interface ManifestFlags {
  readonly config?: string;
  readonly service?: string;
  readonly namespace?: string;
  readonly path: string;
  readonly port: string;
  readonly url?: string;
  readonly caFile?: string;
  readonly failurePolicy: string;
  readonly timeoutSeconds: string;
  readonly name: string;
  readonly exemptNamespace: string[];
}

interface ManifestCommandFlags extends ManifestFlags {
  readonly output: string;
}

interface RegisterFlags extends ManifestFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/**
 * `scangate webhook manifest|register`: the ValidatingWebhookConfiguration that sends admission
 * reviews to scangate, printed or applied through the Kubernetes API.
 * Exit status: 0 done, 1 the API refused or could not be reached, 2 bad flags or config.
 */
export function registerWebhookCommand(program: Command): void {
  const webhook = program
    .command('webhook')
    .description('the ValidatingWebhookConfiguration: print it or register it with the API server');

  withManifestFlags(
    webhook
      .command('manifest')
      .description('print the ValidatingWebhookConfiguration (YAML, or JSON with --output json)'),
  )
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .action((flags: ManifestCommandFlags) => {
      if (flags.output !== 'yaml' && flags.output !== 'json')
        usage(`--output must be yaml or json (got ${JSON.stringify(flags.output)})`);
      const manifest = buildOrExit(flags);
      process.stdout.write(flags.output === 'json' ? `${JSON.stringify(manifest, null, 2)}\n` : stringify(manifest));
    });

  withManifestFlags(
    webhook
      .command('register')
      .description('create or update the ValidatingWebhookConfiguration through the Kubernetes API'),
  )
    .option(
      '--kubeconfig <file>',
      'kubeconfig (default: $KUBECONFIG, ~/.kube/config, then the in-cluster service account)',
    )
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .action(async (flags: RegisterFlags) => {
      const manifest = buildOrExit(flags);
      let client: KubeClient;
      try {
        client = new KubeClient(
          loadKubeConnection({
            ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
            ...(flags.context !== undefined ? { context: flags.context } : {}),
          }),
        );
      } catch (error) {
        if (error instanceof KubeConfigError) usage(error.message);
        throw error;
      }
      try {
        const outcome = await registerWebhookConfiguration(client, manifest);
        process.stdout.write(`validatingwebhookconfiguration/${manifest.metadata.name} ${outcome}\n`);
      } catch (error) {
        fail(error instanceof KubeApiError || error instanceof Error ? error.message : String(error));
      }
    });
}

function withManifestFlags(command: Command): Command {
  return command
    .option(
      '-c, --config <file>',
      'config file: admission.waitBudgetMs bounds --timeout-seconds, exemptNamespaces are excluded (default: $SCANGATE_CONFIG)',
    )
    .option('--service <name>', 'the webhook Service (with --namespace); or --url')
    .option('--namespace <ns>', "the Service's namespace, scangate's own (never sent to the webhook)")
    .option('--path <path>', 'path on the Service', DEFAULT_PATH)
    .option('--port <port>', 'Service port', String(DEFAULT_PORT))
    .option('--url <url>', 'https:// URL of a webhook outside the cluster (instead of --service)')
    .option('--ca-file <file>', 'PEM CA that signed the serving certificate (ca.crt of `scangate certs`)')
    .option(
      '--failure-policy <policy>',
      'Fail or Ignore: what the API server does when scangate cannot be reached',
      'Fail',
    )
    .option(
      '--timeout-seconds <n>',
      'how long the API server waits (1–30; above admission.waitBudgetMs)',
      String(DEFAULT_TIMEOUT_SECONDS),
    )
    .option('--name <name>', 'name of the ValidatingWebhookConfiguration', 'scangate')
    .option(
      '--exempt-namespace <ns>',
      'a namespace the API server never sends (repeatable; added to admission.exemptNamespaces)',
      collect,
      [],
    );
}

function buildOrExit(flags: ManifestFlags): ReturnType<typeof buildValidatingWebhookConfiguration> {
  const { config, source } = loadConfigOrExit(flags.config);
  if (flags.caFile === undefined) usage('--ca-file is required (ca.crt of `scangate certs`)');
  if (flags.failurePolicy !== 'Fail' && flags.failurePolicy !== 'Ignore') {
    usage(`--failure-policy must be Fail or Ignore (got ${JSON.stringify(flags.failurePolicy)})`);
  }
  let caPem: string;
  try {
    caPem = readFileSync(flags.caFile, 'utf8');
  } catch (error) {
    usage(`--ca-file ${flags.caFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const patterns = config.admission.exemptNamespaces.filter((name) => name.includes('*'));
  if (patterns.length > 0) {
    process.stderr.write(
      `scangate: exempt namespace patterns ${patterns.join(', ')} cannot be a namespaceSelector; scangate itself still exempts them\n`,
    );
  }
  const options: WebhookManifestOptions = {
    name: flags.name,
    target: targetOf(flags),
    caPem,
    failurePolicy: flags.failurePolicy as FailurePolicy,
    timeoutSeconds: Number(flags.timeoutSeconds),
    waitBudgetMs: config.admission.waitBudgetMs,
    // With --url, --namespace still names scangate's own namespace, to keep out of its own way.
    exemptNamespaces: [
      ...config.admission.exemptNamespaces,
      ...flags.exemptNamespace,
      ...(flags.url !== undefined && flags.namespace !== undefined ? [flags.namespace] : []),
    ],
  };
  try {
    return buildValidatingWebhookConfiguration(options);
  } catch (error) {
    if (error instanceof WebhookManifestError) {
      usage(
        `${error.message.replace('admission.waitBudgetMs (', `admission.waitBudgetMs from ${source === 'embedded' ? 'the defaults' : source} (`)}`,
      );
    }
    throw error;
  }
}

function targetOf(flags: ManifestFlags): WebhookTarget {
  if (flags.url !== undefined) {
    if (flags.service !== undefined) usage('pass either --url or --service/--namespace, not both');
    return { kind: 'url', url: flags.url };
  }
  if (flags.service === undefined || flags.namespace === undefined)
    usage('pass --service and --namespace (in the cluster) or --url (outside it)');
  return {
    kind: 'service',
    name: flags.service,
    namespace: flags.namespace,
    path: flags.path,
    port: Number(flags.port),
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function usage(message: string): never {
  process.stderr.write(`scangate: ${message}\n`);
  process.exit(2);
}

function fail(message: string): never {
  process.stderr.write(`scangate: ${message}\n`);
  process.exit(1);
}
