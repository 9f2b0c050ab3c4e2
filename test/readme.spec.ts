import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness/cli';
import { freePort } from './harness/local-host';
import { tempDir } from './harness/webhook-harness';

/** The README's curl examples, run as written against `scangate serve`, print what the README shows. */
describe('README: pnpm start + curl example', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```sh\n(curl [^`]+?)```\s*```json\n([^`]+?)```/g)].map((m) => ({
    command: (m[1] ?? '').trim(),
    output: JSON.parse(m[2] ?? '') as unknown,
  }));
  let server: ChildProcess | undefined;
  let port = 0;
  let adminPort = 0;
  const dataDir = tempDir('readme');

  beforeAll(async () => {
    if (spawnSync('curl', ['--version']).error) throw new Error('curl not found: apt-get install -y curl');
    port = await freePort();
    adminPort = await freePort();
    server = spawn(process.execPath, [join(REPO_ROOT, 'apps/cli/dist/main.js'), 'serve'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        SCANGATE_SERVER_PORT: String(port),
        SCANGATE_ADMIN_PORT: String(adminPort),
        SCANGATE_DATADIR: dataDir,
        SCANGATE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      server?.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('serving admission reviews')) resolve();
      });
      server?.once('exit', (code) => reject(new Error(`scangate serve exited with ${code}: ${stderr}`)));
    });
  });
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('has the denial and the allowed example', () => {
    expect(examples).toHaveLength(2);
    expect(JSON.stringify(examples[0]?.output)).toContain('"allowed":false');
    expect(JSON.stringify(examples[1]?.output)).toContain('"allowed":true');
  });

  it.each([0, 1])('example %d prints what the README shows', (index) => {
    const example = examples[index];
    if (!example) throw new Error(`README example ${index} is missing`);
    const command = example.command
      .replace(/\\\n\s*/g, '')
      .replace('https://localhost:8443', `https://localhost:${port}`)
      .replace('.scangate/tls/ca.crt', join(dataDir, 'tls', 'ca.crt'));
    const run = spawnSync('bash', ['-c', command], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(example.output);
  });
});
