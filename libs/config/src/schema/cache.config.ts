import { IntKey } from '../config-key.decorators';

const TTL = { min: 1, max: 86400 } as const;

export class CacheSchema {
  @IntKey('Seconds an allowing verdict stays cached (allowTTL of ImagePolicyWebhook).', TTL)
  allowTTL = 300;

  @IntKey('Seconds a denying verdict stays cached (denyTTL of ImagePolicyWebhook).', TTL)
  denyTTL = 30;

  @IntKey('Seconds a tag → digest resolution is remembered; a moved tag is seen after at most this long.', TTL)
  tagTTL = 60;

  @IntKey('Milliseconds before a failed registry or analyzer call is retried (not a verdict).', {
    min: 0,
    max: 300000,
  })
  errorBackoffMs = 500;

  @IntKey(
    'Verdicts and tag memos each webhook process keeps in memory in front of Redis (least recently used ' +
      'dropped first; never kept past their Redis TTL; they answer while Redis is down); 0: none.',
    { min: 0, max: 1000000 },
  )
  l1MaxEntries = 10000;
}
