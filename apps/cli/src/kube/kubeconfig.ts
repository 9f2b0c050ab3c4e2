import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import type { ExecConfig } from './exec-credential';

/** Where and how to reach one API server, resolved from a kubeconfig or the Pod's service account. */
export interface KubeConnection {
  /** `https://host:port` (a path prefix is kept). */
  readonly server: string;
  /** PEM bundle to verify the server with; undefined: the system roots. */
  readonly ca?: Buffer;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly clientCertificate?: Buffer;
  readonly clientKey?: Buffer;
  readonly token?: string;
  /** Re-read on every request: projected service-account tokens rotate. */
  readonly tokenFile?: string;
  readonly exec?: ExecConfig;
  /** What was read, for messages: `kubeconfig /root/.kube/config, context kind-dev` or `in-cluster`. */
  readonly source: string;
}

export class KubeConfigError extends Error {}

export interface LoadKubeConnectionOptions {
  /** --kubeconfig; default $KUBECONFIG (a list), ~/.kube/config, then in-cluster. */
  readonly kubeconfig?: string;
  /** --context; default the kubeconfig's current-context. */
  readonly context?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the service account is mounted in a Pod (tests point it elsewhere). */
  readonly serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Json = Record<string, unknown>;

/** One named entry of a kubeconfig list, with the file it came from (relative paths resolve there). */
interface Named {
  readonly name: string;
  readonly value: Json;
  readonly file: string;
}

interface MergedConfig {
  readonly currentContext?: string;
  readonly clusters: ReadonlyMap<string, Named>;
  readonly users: ReadonlyMap<string, Named>;
  readonly contexts: ReadonlyMap<string, Named>;
  readonly files: readonly string[];
}

/**
 * The connection kubectl would use: --kubeconfig, else every file of $KUBECONFIG merged (the first
 * to define a name wins, as kubectl does), else ~/.kube/config, else the in-cluster service account.
 */
export function loadKubeConnection(options: LoadKubeConnectionOptions = {}): KubeConnection {
  const env = options.env ?? process.env;
  const files = kubeconfigFiles(options.kubeconfig, env);
  if (files.length === 0) {
    if (options.context !== undefined)
      throw new KubeConfigError(`--context ${options.context} needs a kubeconfig, and none was found`);
    return inClusterConnection(env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  }
  return connectionFromConfig(mergeKubeconfigs(files), options.context);
}

function kubeconfigFiles(flag: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (flag !== undefined) {
    if (!existsSync(flag)) throw new KubeConfigError(`kubeconfig ${flag} does not exist`);
    return [flag];
  }
  const fromEnv = (env['KUBECONFIG'] ?? '').split(delimiter).filter((file) => file !== '' && existsSync(file));
  if (fromEnv.length > 0) return fromEnv;
  const home = env['HOME'] ?? homedir();
  const fallback = join(home, '.kube', 'config');
  return existsSync(fallback) ? [fallback] : [];
}

function mergeKubeconfigs(files: readonly string[]): MergedConfig {
  const clusters = new Map<string, Named>();
  const users = new Map<string, Named>();
  const contexts = new Map<string, Named>();
  let currentContext: string | undefined;
  for (const file of files) {
    let document: unknown;
    try {
      document = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new KubeConfigError(`kubeconfig ${file}: ${messageOf(error)}`);
    }
    if (document === null || document === undefined) continue;
    if (!isRecord(document)) throw new KubeConfigError(`kubeconfig ${file}: not a YAML mapping`);
    const current = document['current-context'];
    if (currentContext === undefined && typeof current === 'string' && current !== '') currentContext = current;
    addNamed(clusters, document['clusters'], 'cluster', file);
    addNamed(users, document['users'], 'user', file);
    addNamed(contexts, document['contexts'], 'context', file);
  }
  return { ...(currentContext !== undefined ? { currentContext } : {}), clusters, users, contexts, files };
}

function addNamed(into: Map<string, Named>, list: unknown, field: string, file: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new KubeConfigError(`kubeconfig ${file}: ${field}s must be a list`);
  for (const entry of list as unknown[]) {
    if (!isRecord(entry) || typeof entry['name'] !== 'string')
      throw new KubeConfigError(`kubeconfig ${file}: every ${field} needs a name`);
    const value = entry[field];
    if (!into.has(entry['name']))
      into.set(entry['name'], { name: entry['name'], value: isRecord(value) ? value : {}, file });
  }
}

function connectionFromConfig(config: MergedConfig, contextFlag: string | undefined): KubeConnection {
  const where = config.files.join(delimiter);
  const contextName = contextFlag ?? config.currentContext;
  if (contextName === undefined) throw new KubeConfigError(`kubeconfig ${where}: no current-context; pass --context`);
  const context = config.contexts.get(contextName);
  if (context === undefined)
    throw new KubeConfigError(`kubeconfig ${where}: no context named ${JSON.stringify(contextName)}`);
  const clusterName = stringField(context.value, 'cluster');
  const cluster = clusterName === undefined ? undefined : config.clusters.get(clusterName);
  if (cluster === undefined) {
    throw new KubeConfigError(
      `kubeconfig ${where}: context ${contextName} names cluster ${JSON.stringify(clusterName ?? '')}, which is not defined`,
    );
  }
  const userName = stringField(context.value, 'user');
  const user = userName === undefined || userName === '' ? undefined : config.users.get(userName);
  if (userName !== undefined && userName !== '' && user === undefined) {
    throw new KubeConfigError(
      `kubeconfig ${where}: context ${contextName} names user ${JSON.stringify(userName)}, which is not defined`,
    );
  }
  const server = stringField(cluster.value, 'server');
  if (server === undefined || server === '')
    throw new KubeConfigError(`kubeconfig ${cluster.file}: cluster ${cluster.name} has no server`);

  const ca = dataOrFile(cluster, 'certificate-authority-data', 'certificate-authority');
  const tlsServerName = stringField(cluster.value, 'tls-server-name');
  const userValue = user?.value ?? {};
  const clientCertificate = user ? dataOrFile(user, 'client-certificate-data', 'client-certificate') : undefined;
  const clientKey = user ? dataOrFile(user, 'client-key-data', 'client-key') : undefined;
  if ((clientCertificate === undefined) !== (clientKey === undefined)) {
    throw new KubeConfigError(
      `kubeconfig ${user?.file ?? where}: user ${userName ?? ''} needs both a client certificate and its key`,
    );
  }
  const token = stringField(userValue, 'token');
  const tokenFile = stringField(userValue, 'tokenFile');
  const exec = isRecord(userValue['exec']) ? execConfig(userValue['exec'], user?.file ?? where) : undefined;
  return {
    server: server.replace(/\/+$/, ''),
    ...(ca !== undefined ? { ca } : {}),
    insecureSkipTlsVerify: cluster.value['insecure-skip-tls-verify'] === true,
    ...(tlsServerName !== undefined && tlsServerName !== '' ? { tlsServerName } : {}),
    ...(clientCertificate !== undefined && clientKey !== undefined ? { clientCertificate, clientKey } : {}),
    ...(token !== undefined && token !== '' ? { token } : {}),
    ...(tokenFile !== undefined && tokenFile !== '' && user ? { tokenFile: relativeTo(user.file, tokenFile) } : {}),
    ...(exec !== undefined ? { exec } : {}),
    source: `kubeconfig ${where}, context ${contextName}`,
  };
}

function execConfig(value: Json, file: string): ExecConfig {
  const command = stringField(value, 'command');
  const apiVersion = stringField(value, 'apiVersion');
  if (command === undefined || command === '') throw new KubeConfigError(`kubeconfig ${file}: exec needs a command`);
  if (apiVersion !== 'client.authentication.k8s.io/v1' && apiVersion !== 'client.authentication.k8s.io/v1beta1') {
    throw new KubeConfigError(
      `kubeconfig ${file}: exec apiVersion ${JSON.stringify(apiVersion ?? '')} is not supported ` +
        '(client.authentication.k8s.io/v1 or v1beta1)',
    );
  }
  const args = Array.isArray(value['args']) ? (value['args'] as unknown[]).map(String) : [];
  const env = Array.isArray(value['env'])
    ? (value['env'] as unknown[])
        .filter(isRecord)
        .map((entry) => ({ name: String(entry['name']), value: String(entry['value'] ?? '') }))
    : [];
  // A relative command with a slash is relative to the kubeconfig; a bare one is looked up on PATH.
  const resolved = command.includes('/') ? relativeTo(file, command) : command;
  return { apiVersion, command: resolved, args, env };
}

function inClusterConnection(env: NodeJS.ProcessEnv, dir: string): KubeConnection {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new KubeConfigError(
      'no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not running in a Pod (KUBERNETES_SERVICE_HOST unset)',
    );
  }
  const tokenFile = join(dir, 'token');
  const caFile = join(dir, 'ca.crt');
  if (!existsSync(tokenFile))
    throw new KubeConfigError(`in-cluster: ${tokenFile} is missing (automountServiceAccountToken: false?)`);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    server: `https://${hostPart}:${port}`,
    ...(existsSync(caFile) ? { ca: readFileSync(caFile) } : {}),
    insecureSkipTlsVerify: false,
    tokenFile,
    source: 'in-cluster service account',
  };
}

/** `<field>-data` (base64) wins over `<field>` (a path, relative to the kubeconfig's directory). */
function dataOrFile(entry: Named, dataField: string, fileField: string): Buffer | undefined {
  const data = stringField(entry.value, dataField);
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64');
  const file = stringField(entry.value, fileField);
  if (file === undefined || file === '') return undefined;
  const path = relativeTo(entry.file, file);
  try {
    return readFileSync(path);
  } catch (error) {
    throw new KubeConfigError(`kubeconfig ${entry.file}: ${fileField} ${path}: ${messageOf(error)}`);
  }
}

function relativeTo(kubeconfigFile: string, path: string): string {
  return isAbsolute(path) ? path : join(dirname(kubeconfigFile), path);
}

function stringField(value: Json, field: string): string | undefined {
  const found = value[field];
  return typeof found === 'string' ? found : undefined;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An error's message; fs errors may come from another realm (Jest), where instanceof Error fails. */
function messageOf(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
}
