import { IntKey, StringKey } from '../config-key.decorators';
import { headerToken } from '../formats';

export class AdminSchema {
  @IntKey('Admin listener port (/metrics, /admin/*).', { min: 1, max: 65535 })
  port = 8081;

  @StringKey('Bearer token for /admin/*. Absent (and no tokenFile): a random token is generated and printed once.', {
    optional: true,
    secret: true,
    format: headerToken,
  })
  token?: string;

  @StringKey('File holding the admin token (content trimmed); exclusive with token.', {
    optional: true,
    file: { secretFor: 'token' },
  })
  tokenFile?: string;
}
