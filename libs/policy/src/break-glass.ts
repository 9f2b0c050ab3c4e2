import type { BreakGlassConfig } from '@scangate/config';
import type { GroupVersionKind } from '@scangate/kube';
import { podMetadataPath, podSpecLocationFor } from '@scangate/kube';

/** ImageReview carries only `*.image-policy.k8s.io/*` annotations; this suffix marks break-glass. */
const IMAGE_POLICY_BREAK_GLASS_SUFFIX = '.image-policy.k8s.io/break-glass';

/**
 * The break-glass reason on an admitted object, if any: its own annotation, or its Pod template's
 * (the one the Pods it creates will carry).
 */
export function breakGlassReason(
  config: BreakGlassConfig,
  kind: GroupVersionKind,
  object: unknown,
): string | undefined {
  if (!config.enabled) return undefined;
  const location = podSpecLocationFor(kind);
  const template = location && podMetadataPath(location);
  for (const path of template ? [['metadata'], template] : [['metadata']]) {
    const annotations = ownProperty(walk(object, path), 'annotations');
    const value = ownProperty(annotations, config.annotation);
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** The break-glass reason among an ImageReview's annotations (`<anything>.image-policy.k8s.io/break-glass`). */
export function imageReviewBreakGlassReason(
  config: BreakGlassConfig,
  annotations: Readonly<Record<string, string>>,
): string | undefined {
  if (!config.enabled) return undefined;
  for (const [key, value] of Object.entries(annotations)) {
    if ((key.endsWith(IMAGE_POLICY_BREAK_GLASS_SUFFIX) || key === config.annotation) && value.trim() !== '') {
      return `${key}=${value.trim()}`;
    }
  }
  return undefined;
}

function walk(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((current, key) => ownProperty(current, key), value);
}

function ownProperty(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}
