import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '@scangate/webhook';
import { fixtureReview } from './fixtures/kube';
import { HttpsClient } from './harness/https-client';
import type { TestWebhook } from './harness/webhook-harness';
import { loadTestConfig, startTestWebhook, tempDir } from './harness/webhook-harness';

/** server.tls.clientCAFile: only callers with a certificate from that CA (the API server) get in. */
describe('client-certificate authentication of the API server', () => {
  let server: TestWebhook;
  let serverCA: string;
  let trusted: { certPem: string; keyPem: string };
  let foreign: { certPem: string; keyPem: string };

  beforeAll(async () => {
    const dir = tempDir('mtls');
    const serving = await createCertificateAuthority('scangate test serving CA');
    const leaf = await issueCertificate(serving, {
      commonName: 'localhost',
      names: ['localhost', '127.0.0.1'],
      usage: 'server',
    });
    const clients = await createCertificateAuthority('kube-apiserver client CA');
    trusted = await issueCertificate(clients, { commonName: 'kube-apiserver', names: [], usage: 'client' });
    const other = await createCertificateAuthority('some other CA');
    foreign = await issueCertificate(other, { commonName: 'kube-apiserver', names: [], usage: 'client' });

    const files = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key'), clientCA: join(dir, 'client-ca.crt') };
    writeFileSync(files.cert, leaf.certPem);
    writeFileSync(files.key, leaf.keyPem);
    writeFileSync(files.clientCA, clients.certPem);
    serverCA = serving.certPem;
    server = await startTestWebhook({
      loaded: loadTestConfig({
        server: { tls: { certFile: files.cert, keyFile: files.key, clientCAFile: files.clientCA } },
      }),
      tlsCA: serverCA,
    });
  });
  afterAll(() => server.stop());

  const client = (cert?: { certPem: string; keyPem: string }): HttpsClient =>
    new HttpsClient(`https://127.0.0.1:${server.webhook.port}`, {
      ca: serverCA,
      ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
    });

  it('refuses a caller without a client certificate at the handshake', async () => {
    const anonymous = client();
    await expect(anonymous.post('/validate', fixtureReview('deployment'))).rejects.toMatchObject({
      code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    });
    anonymous.close();
  });

  it('refuses a certificate from another CA', async () => {
    const stranger = client(foreign);
    // TLS 1.3: the server's `unknown ca` alert may race the reset; either way no review is answered.
    await expect(stranger.post('/validate', fixtureReview('deployment'))).rejects.toMatchObject({
      code: expect.stringMatching(/^(ECONNRESET|ERR_SSL_TLSV1_ALERT_UNKNOWN_CA)$/),
    });
    stranger.close();
  });

  it('answers a caller with a certificate from the configured CA', async () => {
    const apiserver = client(trusted);
    const res = await apiserver.post('/validate', fixtureReview('deployment', { uid: 'mtls-1' }));
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ response: { uid: 'mtls-1' } });
    apiserver.close();
  });
});
