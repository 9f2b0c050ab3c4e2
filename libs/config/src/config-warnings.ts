import type { ScangateConfig } from './config.types';

export interface WarningInputs {
  readonly config: ScangateConfig;
  readonly adminTokenGenerated: boolean;
  /** Analyzer sections given although another analyzer is selected. */
  readonly unusedAnalyzerSections: readonly string[];
}

/** Legal but risky settings, for the caller to log at start. */
export function configWarnings({ config, adminTokenGenerated, unusedAnalyzerSections }: WarningInputs): string[] {
  const warnings: string[] = [];
  if (adminTokenGenerated && !config.embedded && config.redis !== undefined) {
    warnings.push(
      'admin.token is not set: a random token was generated for this process only, so each replica has its own; ' +
        'set admin.token or admin.tokenFile (from a Secret)',
    );
  }
  if (!adminTokenGenerated && config.admin.token.length < 16) {
    warnings.push('admin.token is shorter than 16 characters; use a long random token');
  }
  if (!config.embedded && config.server.tls.certFile === undefined) {
    warnings.push(
      'server.tls.certFile is not set: serving a self-signed certificate for localhost, ' +
        'which the API server will not trust',
    );
  }
  if (config.registries.allowPrivateNetworks) {
    warnings.push(
      'registries.allowPrivateNetworks is true: registry calls may reach any private, loopback or ' +
        'link-local address (lab use only)',
    );
  }
  for (const section of unusedAnalyzerSections) {
    warnings.push(`${section} is set but analyzer.type is ${config.analyzer.type}: it is ignored`);
  }
  config.admission.namespaces.forEach((override, index) => {
    const relaxes = override.mode !== undefined && override.mode !== 'enforce';
    if (override.names.length === 0 && (relaxes || override.policy !== undefined)) {
      warnings.push(
        `admission.namespaces[${index}] is matched by labels only and changes the rules: ` +
          'whoever may label a namespace can opt into it',
      );
    }
  });
  return warnings;
}
