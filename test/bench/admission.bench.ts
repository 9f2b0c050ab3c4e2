import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '@scangate/config';
import { createLogger, ensureEmbeddedTls, startWebhook } from '@scangate/webhook';
import { HttpsClient } from '../harness/https-client';
import { tempDir } from '../harness/webhook-harness';
import type { BenchResult } from './ref-parse.bench';

// Admission throughput and latency over HTTPS with keep-alive, local rules only (analyzer none),
// beside a bare Node HTTPS server that answers a fixed AdmissionReview on the same machine, with
// the same client, in the same run. Client and server share the two cores, so read the ratio.

const SECONDS = 4;
const CONCURRENCY = 16;
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'readme');

interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function load(client: HttpsClient, body: string): Promise<LoadFigures> {
  for (let i = 0; i < 500; i++) await client.post('/validate', body); // warm up
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const res = await client.post('/validate', body);
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => Number((latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(3));
  return { requestsPerSecond: Math.round(latencies.length / elapsed), p50Ms: at(0.5), p99Ms: at(0.99) };
}

export async function benchAdmission(): Promise<BenchResult> {
  const body = readFileSync(join(FIXTURES, 'pod-nginx-latest.json'), 'utf8');
  const dataDir = tempDir('bench');
  const tls = await ensureEmbeddedTls(dataDir);
  const ca = readFileSync(tls.caFile);

  const webhook = await startWebhook({ config: loadConfig({ env: {} }).config, logger: createLogger('silent'), dataDir, port: 0, host: '127.0.0.1' });
  const scangateClient = new HttpsClient(`https://127.0.0.1:${webhook.port}`, { ca });
  const scangate = await load(scangateClient, body);
  scangateClient.close();
  await webhook.close();

  const fixed = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'x', allowed: true } });
  const bare = createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(fixed);
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareClient = new HttpsClient(`https://127.0.0.1:${(bare.address() as AddressInfo).port}`, { ca });
  const baseline = await load(bareClient, body);
  bareClient.close();
  await new Promise((resolve) => bare.close(resolve));

  return {
    name: `admission over HTTPS (denial of nginx:latest, ${CONCURRENCY} concurrent, ${SECONDS}s each)`,
    figures: {
      'scangate req/s': scangate.requestsPerSecond,
      'bare Node HTTPS req/s (baseline)': baseline.requestsPerSecond,
      'scangate / baseline': Number((scangate.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)),
      'scangate p50 ms': scangate.p50Ms,
      'scangate p99 ms': scangate.p99Ms,
      'baseline p50 ms': baseline.p50Ms,
      'baseline p99 ms': baseline.p99Ms,
    },
  };
}
