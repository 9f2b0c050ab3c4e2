import { execFile } from 'node:child_process';

/** `users[].user.exec` of a kubeconfig (client.authentication.k8s.io/v1 or v1beta1). */
export interface ExecConfig {
  readonly apiVersion: 'client.authentication.k8s.io/v1' | 'client.authentication.k8s.io/v1beta1';
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
}

/** What a credential plugin returned: a bearer token or a client certificate. */
export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificate?: Buffer;
  readonly clientKey?: Buffer;
  /** When to ask again; undefined: valid for the whole run. */
  readonly expiresAt?: number;
}

const PLUGIN_TIMEOUT_MS = 60_000;

/**
 * Runs the plugin as kubectl does: KUBERNETES_EXEC_INFO carries an ExecCredential with
 * `spec.interactive: false` (no terminal here), stdout must be an ExecCredential of the same
 * apiVersion with `status.token` or `status.clientCertificateData` + `clientKeyData`.
 */
export function runExecCredential(config: ExecConfig): Promise<ExecCredential> {
  const info = { apiVersion: config.apiVersion, kind: 'ExecCredential', spec: { interactive: false } };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const { name, value } of config.env) env[name] = value;
  return new Promise((resolve, reject) => {
    execFile(
      config.command,
      [...config.args],
      { env, timeout: PLUGIN_TIMEOUT_MS, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`credential plugin ${config.command} failed: ${(stderr || error.message).trim()}`));
          return;
        }
        try {
          resolve(parseExecCredential(stdout, config));
        } catch (parseError) {
          reject(parseError);
        }
      },
    );
  });
}

export function parseExecCredential(
  stdout: string,
  config: Pick<ExecConfig, 'apiVersion' | 'command'>,
): ExecCredential {
  let document: unknown;
  try {
    document = JSON.parse(stdout);
  } catch {
    throw new Error(`credential plugin ${config.command} printed no JSON ExecCredential`);
  }
  const record = typeof document === 'object' && document !== null ? (document as Record<string, unknown>) : {};
  if (record['kind'] !== 'ExecCredential' || record['apiVersion'] !== config.apiVersion) {
    throw new Error(`credential plugin ${config.command} must print an ExecCredential of ${config.apiVersion}`);
  }
  const status =
    typeof record['status'] === 'object' && record['status'] !== null
      ? (record['status'] as Record<string, unknown>)
      : {};
  const token = typeof status['token'] === 'string' && status['token'] !== '' ? status['token'] : undefined;
  const cert = typeof status['clientCertificateData'] === 'string' ? status['clientCertificateData'] : undefined;
  const key = typeof status['clientKeyData'] === 'string' ? status['clientKeyData'] : undefined;
  if (token === undefined && (cert === undefined || key === undefined)) {
    throw new Error(
      `credential plugin ${config.command} returned neither status.token nor clientCertificateData + clientKeyData`,
    );
  }
  const expiry =
    typeof status['expirationTimestamp'] === 'string' ? Date.parse(status['expirationTimestamp']) : Number.NaN;
  return {
    ...(token !== undefined ? { token } : {}),
    ...(cert !== undefined && key !== undefined
      ? { clientCertificate: Buffer.from(cert), clientKey: Buffer.from(key) }
      : {}),
    ...(Number.isFinite(expiry) ? { expiresAt: expiry } : {}),
  };
}
