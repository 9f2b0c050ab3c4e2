import { IntKey, SectionKey, StringKey } from '../config-key.decorators';
import { noSpaces } from '../formats';

export class TlsSchema {
  @StringKey('PEM certificate (chain) for the admission listener. Absent: a self-signed certificate for localhost.', {
    optional: true,
    file: {},
  })
  certFile?: string;

  @StringKey('PEM private key of certFile.', { optional: true, file: {} })
  keyFile?: string;

  @StringKey(
    "PEM CA bundle: when set, callers must present a client certificate it issued (mTLS, the API server's client certificate).",
    { optional: true, file: {} },
  )
  clientCAFile?: string;
}

export class ServerSchema {
  @IntKey('Admission listener port (HTTPS).', { min: 1, max: 65535 })
  port = 8443;

  @StringKey('Admission listener address.', { format: noSpaces })
  host = '0.0.0.0';

  @SectionKey(() => TlsSchema, 'TLS of the admission listener.')
  tls = new TlsSchema();

  @IntKey('Largest accepted request body in bytes; larger requests get HTTP 413.', { min: 1024, max: 67108864 })
  bodyLimitBytes = 7340032;
}
