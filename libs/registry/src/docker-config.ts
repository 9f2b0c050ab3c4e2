import { readFileSync } from 'node:fs';

/** Credentials for one registry, from a `.dockerconfigjson` (`~/.docker/config.json` format). */
export type RegistryCredential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token realm by POST. */
  | { readonly kind: 'identity-token'; readonly username?: string; readonly identityToken: string };

/** Docker's own aliases for Docker Hub, all stored under `https://index.docker.io/v1/` by `docker login`. */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** `https://index.docker.io/v1/` → `docker.io`; `https://Reg.example:5000/x` → `reg.example:5000`. */
export function credentialKey(entry: string): string {
  const host = (entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '').toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

export class DockerCredentials {
  private constructor(private readonly byHost: ReadonlyMap<string, RegistryCredential>) {}

  static empty(): DockerCredentials {
    return new DockerCredentials(new Map());
  }

  /** Reads and parses the file; a missing or malformed file is an error naming it (checked at boot). */
  static fromFile(file: string): DockerCredentials {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`registries.dockerConfigFile: cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      return DockerCredentials.fromJson(JSON.parse(text));
    } catch (error) {
      throw new Error(`registries.dockerConfigFile: ${file}: ${(error as Error).message}`);
    }
  }

  /** From a parsed `{"auths": {...}}` document. */
  static fromJson(document: unknown): DockerCredentials {
    const auths = isRecord(document) ? document['auths'] : undefined;
    if (!isRecord(auths)) throw new Error('no "auths" object');
    const byHost = new Map<string, RegistryCredential>();
    for (const [entry, value] of Object.entries(auths)) {
      if (!isRecord(value)) continue;
      const credential = credentialOf(value, entry);
      if (credential) byHost.set(credentialKey(entry), credential);
    }
    return new DockerCredentials(byHost);
  }

  /** Credentials for a registry domain as written in an image reference (`docker.io`, `host:5000`). */
  forRegistry(domain: string): RegistryCredential | undefined {
    return this.byHost.get(credentialKey(domain));
  }
}

function credentialOf(value: Record<string, unknown>, entry: string): RegistryCredential | undefined {
  let username = typeof value['username'] === 'string' ? value['username'] : undefined;
  let password = typeof value['password'] === 'string' ? value['password'] : undefined;
  if (typeof value['auth'] === 'string' && value['auth'] !== '') {
    const decoded = Buffer.from(value['auth'], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new Error(`auths[${JSON.stringify(entry)}].auth is not base64 of "user:password"`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const identityToken = value['identitytoken'];
  if (typeof identityToken === 'string' && identityToken !== '') {
    return { kind: 'identity-token', identityToken, ...(username ? { username } : {}) };
  }
  if (username !== undefined && password !== undefined) return { kind: 'basic', username, password };
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
