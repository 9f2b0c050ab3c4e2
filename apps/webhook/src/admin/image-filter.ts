import { BadRequestException } from '@nestjs/common';
import { tryParseImageRef } from '@scangate/image-ref';
import type { VerdictFilter } from '@scangate/verdicts';

const BARE_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,128}$/;

/**
 * `?image=` of the admin API: a repository (`nginx`), a tag (`nginx:1.27`) or a digest
 * (`nginx@sha256:…` or a bare `sha256:…`). Absent: everything.
 */
export function imageFilter(image: string | undefined): VerdictFilter {
  if (image === undefined || image === '') return { kind: 'all' };
  if (BARE_DIGEST.test(image)) return { kind: 'digest', digest: image };
  const parsed = tryParseImageRef(image);
  if (!parsed.ok) throw new BadRequestException(`image: ${parsed.error.message}`);
  const { ref } = parsed;
  if (ref.digest) return { kind: 'digest', digest: ref.digest };
  if (ref.tag) return { kind: 'tag', repository: ref.name, tag: ref.tag };
  return { kind: 'repository', repository: ref.name };
}
