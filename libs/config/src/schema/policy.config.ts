import { BoolKey, ListKey, SectionKey } from '../config-key.decorators';
import { noSpaces } from '../formats';

// Registry and image pattern syntax is checked where it is compiled (libs/policy), which reports
// every bad entry under its key; here only the shape is checked.

export class TagRulesSchema {
  @BoolKey('Deny images tagged :latest or with neither tag nor digest.')
  denyLatest = true;

  @BoolKey('Deny images not pinned by digest.')
  requireDigest = false;
}

export class PolicySchema {
  @ListKey('Registry hosts (host[:port]) or host/repository prefixes images may come from; empty: any.', {
    format: noSpaces,
  })
  allowedRegistries: string[] = [];

  @ListKey('Image patterns allowed without analysis.', { format: noSpaces })
  allowedImages: string[] = [];

  @ListKey('Image patterns always denied.', { format: noSpaces })
  deniedImages: string[] = [];

  @SectionKey(() => TagRulesSchema, 'Tag rules.')
  tags = new TagRulesSchema();
}

/** `admission.namespaces[].policy`: the keys of `policy`, each optional; lists replace the global ones. */
export class TagRulesOverrideSchema {
  @BoolKey('Overrides policy.tags.denyLatest.', { optional: true })
  denyLatest?: boolean;

  @BoolKey('Overrides policy.tags.requireDigest.', { optional: true })
  requireDigest?: boolean;
}

export class PolicyOverrideSchema {
  @ListKey('Replaces policy.allowedRegistries.', { optional: true, format: noSpaces })
  allowedRegistries?: string[];

  @ListKey('Replaces policy.allowedImages.', { optional: true, format: noSpaces })
  allowedImages?: string[];

  @ListKey('Replaces policy.deniedImages.', { optional: true, format: noSpaces })
  deniedImages?: string[];

  @SectionKey(() => TagRulesOverrideSchema, 'Overrides policy.tags key by key.', { optional: true })
  tags?: TagRulesOverrideSchema;
}
