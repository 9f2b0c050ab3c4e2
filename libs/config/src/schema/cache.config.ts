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
}
