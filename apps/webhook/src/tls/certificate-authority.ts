import { randomBytes, webcrypto } from 'node:crypto';
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA P-256 by default (small, fast, what Kubernetes' own tooling makes); RSA 2048 for old clients. */
export type KeyType = 'ecdsa-p256' | 'rsa-2048';
export const KEY_TYPES: readonly KeyType[] = ['ecdsa-p256', 'rsa-2048'];

const ALGORITHMS = {
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  'rsa-2048': {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  },
} as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateAuthority extends PemPair {
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly keyType: KeyType;
}

export type CertificateUsage = 'server' | 'client';

/** A private CA: the API server trusts it through `caBundle`; serving and client certificates chain to it. */
export async function createCertificateAuthority(
  commonName: string,
  validDays = 3650,
  keyType: KeyType = 'ecdsa-p256',
): Promise<CertificateAuthority> {
  const keys = await generateKeys(keyType);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + validDays * DAY_MS),
    signingAlgorithm: ALGORITHMS[keyType],
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificate,
    keys,
    keyType,
    certPem: certificate.toString('pem'),
    keyPem: await privateKeyPem(keys.privateKey),
  };
}

/** A leaf certificate signed by `ca`: `names` are DNS names or IP addresses (SANs). */
export async function issueCertificate(
  ca: CertificateAuthority,
  options: {
    commonName: string;
    names: readonly string[];
    usage: CertificateUsage;
    validDays?: number;
    /** The leaf's own key; default the CA's type. */
    keyType?: KeyType;
    /** Subject O= entries: Kubernetes reads them as a client certificate's groups. */
    organizations?: readonly string[];
  },
): Promise<PemPair> {
  const keyType = options.keyType ?? ca.keyType;
  const keys = await generateKeys(keyType);
  // keyEncipherment only means something for RSA key transport; ECDSA keys only sign.
  const keyUsage =
    keyType === 'rsa-2048'
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [`CN=${options.commonName}`, ...(options.organizations ?? []).map((o) => `O=${o}`)].join(', '),
    issuer: ca.certificate.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + (options.validDays ?? 365) * DAY_MS),
    signingAlgorithm: ALGORITHMS[ca.keyType],
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension(
        [options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      ...(options.names.length > 0
        ? [
            new x509.SubjectAlternativeNameExtension(
              options.names.map((name) => (isIP(name) ? { type: 'ip', value: name } : { type: 'dns', value: name })),
            ),
          ]
        : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  return { certPem: certificate.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

function generateKeys(keyType: KeyType): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHMS[keyType], true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function serialNumber(): string {
  // Positive 128-bit serial (top bit cleared so DER does not read it as negative).
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}
