/**
 * Syntax checks for config values, as predicates plus the phrase used in error messages.
 * The Kubernetes ones follow k8s.io/apimachinery/pkg/util/validation.
 */
export interface Format {
  readonly test: (value: string) => boolean;
  /** Completes "must be …" in an error message. */
  readonly describe: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const dns1123Label: Format = {
  test: (v) => v.length <= 63 && DNS1123_LABEL.test(v),
  describe: 'a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters)',
};

/** A namespace name, or a pattern with `*` wildcards (`team-*`), as libs/policy name-glob matches. */
export const namespacePattern: Format = {
  test: (v) => v.length > 0 && v.length <= 63 && dns1123Label.test(v.replaceAll('*', 'a')),
  describe: 'a namespace name (DNS-1123 label), optionally with * wildcards',
};

/** `prefix/name` or `name`: annotation and label keys (IsQualifiedName). */
export const qualifiedName: Format = {
  test: (v) => {
    const slash = v.indexOf('/');
    const prefix = slash === -1 ? undefined : v.slice(0, slash);
    const name = slash === -1 ? v : v.slice(slash + 1);
    if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
      return false;
    }
    return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
  },
  describe: 'a Kubernetes annotation/label key ([prefix/]name, e.g. scangate.io/break-glass)',
};

export const labelValue: Format = {
  test: (v) => v.length <= 63 && LABEL_VALUE.test(v),
  describe: 'a Kubernetes label value (at most 63 letters, digits, "-", "_", "."; alphanumeric at both ends)',
};

/** `host` or `host:port`, host a DNS name, IPv4 or bracketed IPv6 (what a registry reference names). */
export const hostPort: Format = {
  test: (v) => {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?)(:(\d{1,5}))?$/.exec(v);
    if (!match) return false;
    const port = match[4];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  },
  describe: 'host or host:port (no scheme, no path)',
};

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const httpUrl: Format = { test: isHttpUrl, describe: 'an http:// or https:// URL' };

/** ioredis accepts these schemes in a URL; Sentinel and Cluster need options an URL cannot carry. */
export const redisUrl: Format = {
  test: (v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  describe: 'a redis:// or rediss:// URL (e.g. redis://redis:6379/0)',
};

/** Standard base64 (what Clair's `auth.psk.key` holds). */
export const base64: Format = {
  test: (v) => v.length > 0 && v.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(v),
  describe: "standard base64 (the same value as Clair's auth.psk.key)",
};

/** A bearer token is sent in an HTTP header: visible ASCII only. */
export const headerToken: Format = {
  test: (v) => /^[\x21-\x7e]+$/.test(v),
  describe: 'printable ASCII without spaces (it is sent in an Authorization header)',
};

/** `os/arch` or `os/arch/variant`, as an OCI image index `platform`. */
export const platform: Format = {
  test: (v) => /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(v),
  describe: 'os/arch[/variant] (e.g. linux/amd64, linux/arm64/v8)',
};

/** A string without whitespace, for prefixes, patterns and identifiers. */
export const noSpaces: Format = {
  test: (v) => v.length > 0 && !/\s/.test(v),
  describe: 'a non-empty string without spaces',
};
