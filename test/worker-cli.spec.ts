import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from './harness/cli';
import { tempDir } from './harness/webhook-harness';

// `scangate worker` refuses to start, with exit code 2 and one clear sentence, when it could not
// do anything useful. (Consuming jobs is covered by worker-process.spec.ts.)

const dir = tempDir('worker-cli');
function configFile(name: string, config: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

describe('scangate worker', () => {
  it('needs redis (embedded mode analyses in-process)', () => {
    const result = runCli(['worker']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'scangate: scangate worker needs redis; in embedded mode scangate serve analyses in-process\n',
    );
  });

  it('refuses analyzer.type none: nothing to analyse', () => {
    const result = runCli(['worker', '--config', configFile('none', { redis: { url: 'redis://127.0.0.1:1' } })]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('scangate: nothing to analyse: analyzer.type is none (local rules only)');
  });

  it('is listed in the help', () => {
    const result = runCli(['--help']);
    expect(result.stdout).toMatch(/worker \[options\]\s+run the analysis worker alone/);
  });
});
