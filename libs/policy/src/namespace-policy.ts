import type { AdmissionConfig, AdmissionMode, PolicyConfig } from '@scangate/config';
import type { CompiledPolicy } from './compiled-policy';
import { compilePolicy, mergePolicy } from './compiled-policy';
import { nameMatches } from './name-glob';

/** The mode and rules that apply in one namespace. */
export interface NamespaceSettings {
  readonly mode: AdmissionMode;
  readonly policy: CompiledPolicy;
  /** Index into `admission.namespaces` of the override that applied, if any. */
  readonly override?: number;
}

/**
 * Resolves `admission.namespaces` overrides (first match wins) and `exemptNamespaces`.
 * Exemption comes from config only: nothing in the admitted object (labels, annotations) can
 * exempt a namespace. Label-based overrides match only when the caller knows the namespace's
 * labels (the API server does not send them in an AdmissionReview).
 */
export class NamespacePolicies {
  private readonly global: NamespaceSettings;
  private readonly overrides: readonly {
    readonly names: readonly string[];
    readonly labels: Readonly<Record<string, string>>;
    readonly settings: NamespaceSettings;
  }[];

  constructor(
    private readonly admission: AdmissionConfig,
    policy: PolicyConfig,
  ) {
    this.global = { mode: admission.mode, policy: compilePolicy(policy) };
    this.overrides = admission.namespaces.map((override, index) => ({
      names: override.names,
      labels: override.labels,
      settings: {
        mode: override.mode ?? admission.mode,
        policy: override.policy
          ? compilePolicy(mergePolicy(policy, override.policy), `admission.namespaces[${index}].policy`)
          : this.global.policy,
        override: index,
      },
    }));
  }

  isExempt(namespace: string | undefined): boolean {
    return namespace !== undefined && this.admission.exemptNamespaces.some((p) => nameMatches(namespace, p));
  }

  settingsFor(namespace: string | undefined, labels?: Readonly<Record<string, string>>): NamespaceSettings {
    if (namespace === undefined) return this.global;
    const match = this.overrides.find(
      (o) => o.names.some((p) => nameMatches(namespace, p)) || (labels !== undefined && hasLabels(labels, o.labels)),
    );
    return match?.settings ?? this.global;
  }
}

function hasLabels(actual: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(wanted);
  return keys.length > 0 && keys.every((k) => Object.hasOwn(actual, k) && actual[k] === wanted[k]);
}
