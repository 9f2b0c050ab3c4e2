import type { AdmissionMode, FallbackDecision } from '../config.types';
import {
  BoolKey,
  EnumKey,
  IntKey,
  ListKey,
  MapKey,
  SectionKey,
  SectionListKey,
  StringKey,
} from '../config-key.decorators';
import { type Format, labelValue, namespacePattern, qualifiedName } from '../formats';
import { PolicyOverrideSchema } from './policy.config';

export const ADMISSION_MODES: readonly AdmissionMode[] = ['enforce', 'warn', 'audit'];
export const FALLBACK_DECISIONS: readonly FallbackDecision[] = ['deny', 'allow'];

/** A lone `*` (or `**`) would exempt every namespace: that is `mode: audit`, not an exemption. */
const exemptPattern: Format = {
  test: (v) => namespacePattern.test(v) && v.replaceAll('*', '') !== '',
  describe: 'a namespace name (DNS-1123 label), optionally with * wildcards, but not * alone',
};

export class BreakGlassSchema {
  @BoolKey('Honour the break-glass annotation (always logged, counted and annotated).')
  enabled = true;

  @StringKey('Pod annotation that allows an image set despite the gate; its value is the reason.', {
    format: qualifiedName,
  })
  annotation = 'scangate.io/break-glass';
}

export class NamespaceOverrideSchema {
  @ListKey('Namespace names or * patterns this override applies to.', { format: namespacePattern })
  names: string[] = [];

  @MapKey('Namespace labels (all must match) this override applies to.', {
    keyFormat: qualifiedName,
    valueFormat: labelValue,
  })
  labels: Record<string, string> = {};

  @EnumKey(ADMISSION_MODES, 'Mode in these namespaces; absent: admission.mode.', { optional: true })
  mode?: AdmissionMode;

  @SectionKey(() => PolicyOverrideSchema, 'Policy keys that replace the global ones in these namespaces.', {
    optional: true,
  })
  policy?: PolicyOverrideSchema;
}

export class AdmissionSchema {
  @EnumKey(ADMISSION_MODES, 'enforce denies; warn allows with warnings; audit allows silently and records.')
  mode: AdmissionMode = 'enforce';

  @IntKey(
    'Milliseconds a review waits for a pending analysis before onPending decides; ' +
      "keep it below the webhook's timeoutSeconds (the API server allows at most 30 s).",
    {
      min: 1,
      max: 29000,
      why: "it must stay below the API server's 30 s maximum webhook timeout and below the webhook's timeoutSeconds",
    },
  )
  waitBudgetMs = 8000;

  @EnumKey(FALLBACK_DECISIONS, 'Answer when the verdict is not ready within waitBudgetMs.')
  onPending: FallbackDecision = 'deny';

  @EnumKey(FALLBACK_DECISIONS, 'Answer when the registry or analyzer cannot be reached (defaultAllow: false).')
  onError: FallbackDecision = 'deny';

  @ListKey('Namespaces never gated (names or * patterns).', { format: exemptPattern })
  exemptNamespaces: string[] = ['kube-system'];

  @SectionKey(() => BreakGlassSchema, 'Break-glass annotation.')
  breakGlass = new BreakGlassSchema();

  @SectionListKey(() => NamespaceOverrideSchema, 'Per-namespace overrides, first match wins.')
  namespaces: NamespaceOverrideSchema[] = [];
}
