/**
 * A stand-in for Anchore (which cannot run here): an HTTP server on a free loopback port that
 * answers as CONTRACTS.md §1 describes Engine API v1 (mounted under `/v1`, un-prefixed paths
 * rewritten to it, `/version` with an empty `api`) or Enterprise API v2 (`/v2`, `api.version` "2").
 *
 * It keeps image records per account, moves `analysis_status` along
 * (not_analyzed → analysis_queued → analyzing → analyzed | analysis_failed) one step per lookup or
 * when the test says, evaluates a policy the test chooses (pass, warn, fail with findings, v1's
 * "no evaluation" element), analyses a manifest list as one platform manifest (parentDigest), and
 * fails on demand (5xx). Every request it receives and every response it sends is validated
 * against the saved specs (anchore-spec-deviations.ts); `violations` lists what did not conform,
 * and each test asserts it is empty.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anchoreValidators } from './anchore-spec-deviations';
import type { SpecValidator } from './swagger-validator';

export type AnchoreFlavour = 'v1' | 'v2';
export type SimAnalysisStatus = 'not_analyzed' | 'analysis_queued' | 'analyzing' | 'analyzed' | 'analysis_failed';

export interface SimFinding {
  readonly gate: string;
  readonly trigger: string;
  readonly message: string;
}

/** What the policy says about an image. `no-evaluation`: v1's element without `status` (§1.1). */
export type SimPolicyResult =
  | { readonly kind: 'pass' }
  | { readonly kind: 'warn'; readonly findings: readonly SimFinding[] }
  | { readonly kind: 'fail'; readonly findings: readonly SimFinding[] }
  | { readonly kind: 'no-evaluation' };

export interface SimUser {
  readonly username: string;
  readonly password: string;
  readonly account: string;
  /** Admins may act in other accounts with `x-anchore-account`. */
  readonly admin?: boolean;
}

export interface AnchoreSimulatorOptions {
  readonly flavour: AnchoreFlavour;
  readonly users?: readonly SimUser[];
  /** Accounts besides the users' own (reachable by an admin through `x-anchore-account`). */
  readonly accounts?: readonly string[];
  /** `lookup` (default): each GET of a record moves it one state on; `manual`: only `setStatus`. */
  readonly progression?: 'lookup' | 'manual';
  /** Enterprise only: whether un-prefixed `/version` answers (default true). */
  readonly rootVersion?: boolean;
  /** The policy (bundle) id in force; `policyId`/`policy_id` naming another is a 404. */
  readonly policyId?: string;
  /** The policy's answer for an image, by its tags (default pass); `setPolicy` overrides per digest. */
  readonly decide?: (image: { readonly imageDigest: string; readonly tags: readonly string[] }) => SimPolicyResult;
}

export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly account?: string;
  readonly user?: string;
  readonly status: number;
}

interface SimImage {
  readonly account: string;
  readonly imageDigest: string;
  readonly parentDigest: string;
  readonly imageId: string;
  readonly registry: string;
  readonly repo: string;
  readonly tags: string[];
  status: SimAnalysisStatus;
  finalStatus: 'analyzed' | 'analysis_failed';
  readonly createdAt: string;
  lastUpdated: string;
  sequence: number;
}

export const DEFAULT_USER: SimUser = { username: 'admin', password: 'foobar', account: 'admin', admin: true };
export const DEFAULT_POLICY_ID = '2c53a13c-1765-11e8-82ef-23527761d060';
const NEXT: Partial<Record<SimAnalysisStatus, SimAnalysisStatus>> = {
  not_analyzed: 'analysis_queued',
  analysis_queued: 'analyzing',
};
const V1_HEADER = [
  'Image_Id',
  'Repo_Tag',
  'Trigger_Id',
  'Gate',
  'Trigger',
  'Check_Output',
  'Gate_Action',
  'Whitelisted',
  'Policy_Id',
];

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType = 'application/json',
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

/** Anchore's error envelope as the controllers emit it (`httpcode`, `detail.error_codes`; §1.1). */
function anchoreError(status: number, message: string, errorCodes: readonly string[] = []): HttpAnswer {
  return new HttpAnswer(status, { message, httpcode: status, detail: { error_codes: errorCodes } });
}

/**
 * Anchore's reference parser (§1.3): registry defaults to docker.io, tag to latest, and `library/`
 * is never added.
 */
export function parseAnchoreReference(input: string): {
  registry: string;
  repo: string;
  tag?: string;
  digest?: string;
} {
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repo = hasRegistry ? rest.slice(slash + 1) : rest;
  let tag: string | undefined;
  const colon = repo.lastIndexOf(':');
  if (colon > repo.lastIndexOf('/')) {
    tag = repo.slice(colon + 1);
    repo = repo.slice(0, colon);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repo, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function normalizeAnchoreTag(input: string): string {
  const ref = parseAnchoreReference(input);
  return `${ref.registry}/${ref.repo}:${ref.tag ?? 'latest'}`;
}

export class AnchoreSimulator {
  /** Problems with what was received or sent, per the saved specs; tests expect none. */
  readonly violations: string[] = [];
  readonly requests: SimRequest[] = [];
  private readonly images: SimImage[] = [];
  private readonly manifestLists = new Map<string, string>();
  private readonly policies = new Map<string, SimPolicyResult>();
  private readonly failingAnalyses = new Set<string>();
  private readonly validators: SpecValidator[];
  private readonly users: readonly SimUser[];
  private readonly accounts: Set<string>;
  private failures: { count: number; status: number } = { count: 0, status: 500 };
  private sequence = 0;
  private server?: Server;
  url = '';

  private constructor(readonly options: AnchoreSimulatorOptions) {
    this.validators = anchoreValidators(options.flavour);
    this.users = options.users ?? [DEFAULT_USER];
    this.accounts = new Set([...this.users.map((u) => u.account), ...(options.accounts ?? [])]);
  }

  static async start(options: AnchoreSimulatorOptions): Promise<AnchoreSimulator> {
    const simulator = new AnchoreSimulator(options);
    const server = createServer((req, res) => {
      simulator.handle(req, res).catch((error: unknown) => {
        // A bug in the simulator or validator must fail the test, not hang the client.
        simulator.violations.push(
          `simulator error on ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}`,
        );
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('simulator error');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    simulator.server = server;
    simulator.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return simulator;
  }

  get flavour(): AnchoreFlavour {
    return this.options.flavour;
  }

  get policyId(): string {
    return this.options.policyId ?? DEFAULT_POLICY_ID;
  }

  /** Adding `listDigest` analyses `platformDigest` (Engine v1 picks linux/amd64 from a manifest list). */
  manifestList(listDigest: string, platformDigest: string): void {
    this.manifestLists.set(listDigest, platformDigest);
  }

  /** The policy result for the image with this digest (its own or its parent's). */
  setPolicy(digest: string, result: SimPolicyResult): void {
    this.policies.set(digest, result);
  }

  /** Analysis of this digest ends in `analysis_failed` instead of `analyzed`. */
  failAnalysis(digest: string): void {
    this.failingAnalyses.add(digest);
    for (const image of this.find(digest)) image.finalStatus = 'analysis_failed';
  }

  /** Puts a record in place as if added earlier. */
  seed(image: {
    digest: string;
    tag: string;
    status: SimAnalysisStatus;
    parentDigest?: string;
    account?: string;
  }): void {
    const record = this.create(
      image.account ?? DEFAULT_USER.account,
      image.digest,
      image.parentDigest ?? image.digest,
      image.tag,
    );
    record.status = image.status;
  }

  setStatus(digest: string, status: SimAnalysisStatus): void {
    const found = this.find(digest);
    if (found.length === 0) throw new Error(`no simulated image ${digest}`);
    for (const image of found) image.status = status;
  }

  status(digest: string): SimAnalysisStatus | undefined {
    return this.find(digest)[0]?.status;
  }

  /** The next `count` requests (any route) answer `status` with the error envelope. */
  failNext(count: number, status = 500): void {
    this.failures = { count, status };
  }

  /** Requests to one route, e.g. `POST /v1/images`. */
  calls(method: string, pathPrefix: string): SimRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private find(digest: string, account?: string): SimImage[] {
    return this.images.filter(
      (i) =>
        (i.imageDigest === digest || i.parentDigest === digest) && (account === undefined || i.account === account),
    );
  }

  private create(account: string, imageDigest: string, parentDigest: string, tag: string): SimImage {
    const ref = parseAnchoreReference(tag);
    const now = new Date().toISOString();
    const image: SimImage = {
      account,
      imageDigest,
      parentDigest,
      imageId: imageDigest.slice('sha256:'.length).split('').reverse().join(''),
      registry: ref.registry,
      repo: ref.repo,
      tags: [normalizeAnchoreTag(tag)],
      status: 'not_analyzed',
      finalStatus:
        this.failingAnalyses.has(imageDigest) || this.failingAnalyses.has(parentDigest)
          ? 'analysis_failed'
          : 'analyzed',
      createdAt: now,
      lastUpdated: now,
      sequence: ++this.sequence,
    };
    this.images.push(image);
    return image;
  }

  private advance(image: SimImage): void {
    if (this.options.progression === 'manual') return;
    const next = image.status === 'analyzing' ? image.finalStatus : NEXT[image.status];
    if (next !== undefined) {
      image.status = next;
      image.lastUpdated = new Date().toISOString();
    }
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        this.violations.push(`${method} ${url.pathname}: request body is not JSON`);
      }
    }
    const context = this.route(url.pathname);
    const user = this.authenticate(req);
    const account = header(req, 'x-anchore-account');
    const specRequest = {
      method,
      path: context.specPath,
      query: url.searchParams,
      headers: req.headers,
      ...(body !== undefined ? { body } : {}),
    };
    const operations =
      context.specPath !== '' ? this.validators.map((v) => ({ v, op: v.operationFor(method, context.specPath) })) : [];
    for (const { v } of operations) this.violations.push(...v.validateRequest(specRequest));

    const answer = this.answer(method, context, url.searchParams, body, user, account);
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(account !== undefined ? { account } : {}),
      ...(user !== undefined ? { user: user.username } : {}),
      status: answer.status,
    });
    const payload = answer.contentType === 'application/json' ? JSON.stringify(answer.body) : String(answer.body ?? '');
    for (const { v, op } of operations) {
      if (op)
        this.violations.push(
          ...v.validateResponse(
            op,
            answer.status,
            answer.contentType,
            answer.contentType === 'application/json' ? answer.body : payload,
          ),
        );
    }
    res.writeHead(answer.status, { 'content-type': answer.contentType, ...answer.headers });
    res.end(payload);
  }

  /** Where a request path lands: the API's own mount, v1's rewrite of un-prefixed paths, or nowhere. */
  private route(pathname: string): { specPath: string } {
    const mount = `/${this.flavour}`;
    if (pathname === mount || pathname.startsWith(`${mount}/`))
      return { specPath: pathname.slice(mount.length) || '/' };
    // Engine v1 rewrites un-prefixed paths to /v1 (§1.1). Enterprise: only /version is answered.
    if (this.flavour === 'v1') return { specPath: pathname };
    if (pathname === '/version' && this.options.rootVersion !== false) return { specPath: '/version' };
    return { specPath: '' };
  }

  private authenticate(req: IncomingMessage): SimUser | undefined {
    const authorization = header(req, 'authorization') ?? '';
    if (!authorization.toLowerCase().startsWith('basic ')) return undefined;
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return this.users.find((u) => u.username === decoded.slice(0, colon) && u.password === decoded.slice(colon + 1));
  }

  private answer(
    method: string,
    context: { specPath: string },
    query: URLSearchParams,
    body: unknown,
    user: SimUser | undefined,
    accountHeader: string | undefined,
  ): HttpAnswer {
    const path = context.specPath;
    if (path === '') return new HttpAnswer(404, 'Not Found', 'text/plain');
    // Routes with x-anchore-authz-action None answer without credentials.
    if (method === 'GET' && path === '/version') {
      return new HttpAnswer(200, {
        service: { version: this.flavour === 'v1' ? '1.1.0' : '5.21.0' },
        api: this.flavour === 'v1' ? {} : { version: '2' },
        db: { schema_version: this.flavour === 'v1' ? '0.0.16' : '5210' },
      });
    }
    if (method === 'GET' && path === '/health') return new HttpAnswer(200, null, 'text/plain');
    if (method === 'GET' && path === '/') return new HttpAnswer(200, this.flavour);
    if (!user) {
      return new HttpAnswer(401, 'Unauthorized', 'text/plain', {
        'www-authenticate': 'basic realm="Authentication required"',
      });
    }
    let account = user.account;
    if (accountHeader !== undefined && accountHeader !== user.account) {
      if (!user.admin || !this.accounts.has(accountHeader)) {
        return anchoreError(403, `Not authorized. Requires permissions: domain=${accountHeader} action=* target=*`);
      }
      account = accountHeader;
    }
    if (this.failures.count > 0) {
      this.failures.count -= 1;
      return anchoreError(this.failures.status, 'simulated failure');
    }

    const v1 = this.flavour === 'v1';
    if (path === '/images' && method === 'POST') return this.add(account, body, query);
    if (path === '/images' && method === 'GET') {
      const wanted = query.get(v1 ? 'fulltag' : 'full_tag');
      let found = this.images.filter((i) => i.account === account);
      if (wanted !== null) {
        const tag = normalizeAnchoreTag(wanted);
        found = found.filter((i) => i.tags.includes(tag));
        // Newest record for the tag only, unless history (§1.1).
        if (query.get('history') !== 'true') found = found.sort((a, b) => b.sequence - a.sequence).slice(0, 1);
      }
      for (const image of found) this.advance(image);
      if (v1)
        return found.length === 0
          ? anchoreError(404, 'image data not found in DB')
          : new HttpAnswer(
              200,
              found.map((i) => this.record(i)),
            );
      return new HttpAnswer(200, { items: found.map((i) => this.record(i)) });
    }
    const check = /^\/images\/([^/]+)\/check$/.exec(path);
    if (check && method === 'GET') return this.check(account, decodeURIComponent(check[1] ?? ''), query);
    const byDigest = /^\/images\/([^/]+)$/.exec(path);
    if (byDigest && method === 'GET') {
      const image = this.images.find(
        (i) => i.account === account && i.imageDigest === decodeURIComponent(byDigest[1] ?? ''),
      );
      if (!image) return anchoreError(404, 'image data not found in DB');
      this.advance(image);
      return new HttpAnswer(200, v1 ? [this.record(image)] : this.record(image));
    }
    return anchoreError(404, `simulator: ${method} ${path} is not simulated`);
  }

  private add(account: string, body: unknown, query: URLSearchParams): HttpAnswer {
    const v1 = this.flavour === 'v1';
    const source = isObject(body) && isObject(body['source']) ? body['source'] : undefined;
    const digestSource = source && isObject(source['digest']) ? source['digest'] : undefined;
    const pull = digestSource?.[v1 ? 'pullstring' : 'pull_string'];
    const tag = digestSource?.['tag'];
    if (typeof pull !== 'string' || typeof tag !== 'string') {
      return anchoreError(400, 'simulator: only source.digest (pull string and tag) is simulated');
    }
    const ref = parseAnchoreReference(pull);
    const tagRef = parseAnchoreReference(tag);
    if (ref.digest === undefined || ref.registry !== tagRef.registry || ref.repo !== tagRef.repo) {
      return anchoreError(400, 'pull string must be registry/repo@digest with the same registry/repo as the tag');
    }
    const platform = this.manifestLists.get(ref.digest);
    const imageDigest = platform ?? ref.digest;
    let image = this.images.find((i) => i.account === account && i.imageDigest === imageDigest);
    if (image) {
      const normalized = normalizeAnchoreTag(tag);
      if (!image.tags.includes(normalized)) image.tags.push(normalized);
      if (query.get('force') === 'true') image.status = 'not_analyzed';
      image.sequence = ++this.sequence;
    } else {
      image = this.create(account, imageDigest, ref.digest, tag);
    }
    return new HttpAnswer(200, v1 ? [this.record(image)] : this.record(image));
  }

  private check(account: string, digest: string, query: URLSearchParams): HttpAnswer {
    const v1 = this.flavour === 'v1';
    const image = this.images.find((i) => i.account === account && i.imageDigest === digest);
    if (!image) return anchoreError(404, 'image data not found in DB');
    if (image.status !== 'analyzed')
      return anchoreError(404, `image is not analyzed - analysis_status: ${image.status}`);
    const policyId = query.get(v1 ? 'policyId' : 'policy_id');
    if (policyId !== null && policyId !== this.policyId)
      return anchoreError(404, `policy bundle ${policyId} not found in DB`);
    const tag = normalizeAnchoreTag(query.get('tag') ?? '');
    if (!image.tags.includes(tag)) {
      // Anchore evaluates the tag it is given; one never associated with the image means the
      // client spells references inconsistently (§1.3), which is what this check catches.
      this.violations.push(`check for ${tag}, a tag never added with ${digest} (tags: ${image.tags.join(', ')})`);
      return anchoreError(404, 'could not find any evaluations for input images');
    }
    const result = this.policies.get(image.imageDigest) ??
      this.policies.get(image.parentDigest) ??
      this.options.decide?.({ imageDigest: image.imageDigest, tags: image.tags }) ?? { kind: 'pass' };
    const detail = (v1 ? query.get('detail') : (query.get('detail') ?? 'true')) === 'true';
    const now = new Date().toISOString();
    if (v1) {
      const evaluation =
        result.kind === 'no-evaluation'
          ? { policyId: 'N/A', final_action: 'fail', last_evaluation: 'N/A', detail: {} }
          : {
              status: result.kind === 'fail' ? 'fail' : 'pass',
              policyId: this.policyId,
              last_evaluation: now,
              detail: detail ? this.v1Detail(image, tag, result, now) : {},
            };
      return new HttpAnswer(200, [{ [image.imageDigest]: { [tag]: [evaluation] } }]);
    }
    if (result.kind === 'no-evaluation') return anchoreError(404, 'could not find any evaluations for input images');
    const findings = result.kind === 'pass' ? [] : result.findings;
    const action = result.kind === 'fail' ? 'stop' : result.kind === 'warn' ? 'warn' : 'go';
    return new HttpAnswer(200, {
      policy_id: this.policyId,
      image_digest: image.imageDigest,
      evaluated_tag: tag,
      evaluations: [
        {
          status: result.kind === 'fail' ? 'fail' : 'pass',
          final_action: action,
          final_action_reason: 'policy_evaluation',
          evaluation_time: now,
          number_of_findings: findings.length,
          image_allowlisted: false,
          image_denylisted: false,
          image_mapped_to_rule: true,
          evaluation_problems: [],
          matched_mapping_rule: null,
          matched_allowlisted_images_rule: null,
          matched_denylisted_images_rule: null,
          comparison_image_digest: null,
          details: detail
            ? {
                policy: { id: this.policyId, name: 'Default policy', version: '2', rule_sets: [], mappings: [] },
                policy_action: action,
                findings: findings.map((f, i) => ({
                  trigger_id: `trigger-${i}`,
                  gate: f.gate,
                  trigger: f.trigger,
                  message: f.message,
                  action,
                  policy_id: this.policyId,
                  recommendation: '',
                  rule_id: `rule-${i}`,
                  allowlisted: false,
                  allowlist_match: null,
                  inherited_from_base: false,
                })),
                remediations: null,
              }
            : null,
        },
      ],
    });
  }

  /** v1 `detail.result` with the CLI table (§1.1). */
  private v1Detail(image: SimImage, tag: string, result: SimPolicyResult, now: string): object {
    const action = result.kind === 'fail' ? 'stop' : result.kind === 'warn' ? 'warn' : 'go';
    const findings = result.kind === 'fail' || result.kind === 'warn' ? result.findings : [];
    const rows = findings.map((f, i) => [
      image.imageId,
      tag,
      `trigger-${i}`,
      f.gate,
      f.trigger,
      f.message,
      action,
      false,
      this.policyId,
    ]);
    return {
      result: {
        user_id: image.account,
        image_id: image.imageId,
        tag,
        bundle: {
          id: this.policyId,
          name: 'Default bundle',
          version: '1_0',
          policies: [],
          whitelists: [],
          mappings: [],
        },
        matched_mapping_rule: { name: 'default', registry: '*', repository: '*', image: { type: 'tag', value: '*' } },
        matched_whitelisted_images_rule: false,
        matched_blacklisted_images_rule: false,
        final_action: action,
        final_action_reason: 'policy_evaluation',
        evaluation_problems: [],
        created_at: now,
        last_modified: now,
        image_digest: image.imageDigest,
        status: result.kind === 'fail' ? 'fail' : 'pass',
        result: {
          [image.imageId]: { result: { header: V1_HEADER, row_count: rows.length, rows, final_action: action } },
          policy_data: [],
          whitelist_data: [],
          policy_name: '',
          whitelist_names: [],
        },
      },
      policy: { id: this.policyId },
    };
  }

  private record(image: SimImage): object {
    const metadata = {
      arch: 'amd64',
      distro: 'alpine',
      distro_version: '3.19',
      dockerfile_mode: 'Guessed',
      image_size: 7_000_000,
      layer_count: 1,
    };
    const details = image.tags.map((fullTag) => {
      const tag = parseAnchoreReference(fullTag).tag ?? 'latest';
      const fullDigest = `${image.registry}/${image.repo}@${image.imageDigest}`;
      return this.flavour === 'v1'
        ? {
            registry: image.registry,
            repo: image.repo,
            tag,
            digest: image.imageDigest,
            imageId: image.imageId,
            fulltag: fullTag,
            fulldigest: fullDigest,
            userId: image.account,
            imageDigest: image.imageDigest,
            dockerfile: null,
            created_at: image.createdAt,
            last_updated: image.lastUpdated,
            tag_detected_at: image.createdAt,
          }
        : {
            registry: image.registry,
            repo: image.repo,
            tag,
            image_id: image.imageId,
            full_tag: fullTag,
            full_digest: fullDigest,
            account_name: image.account,
            image_digest: image.imageDigest,
            dockerfile: null,
            created_at: image.createdAt,
            last_updated: image.lastUpdated,
            tag_detected_at: image.createdAt,
          };
    });
    const common = {
      image_status: 'active',
      analysis_status: image.status,
      annotations: { requestor: 'scangate' },
      created_at: image.createdAt,
      last_updated: image.lastUpdated,
      record_version: this.flavour === 'v1' ? '0.0.16' : '5210',
      image_content: { metadata },
      image_detail: details,
    };
    return this.flavour === 'v1'
      ? { imageDigest: image.imageDigest, parentDigest: image.parentDigest, userId: image.account, ...common }
      : { image_digest: image.imageDigest, parent_digest: image.parentDigest, account_name: image.account, ...common };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
