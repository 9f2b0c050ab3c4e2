import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

// The ceiling, (a): a bare Node HTTPS server in a process of its own that reads each review,
// parses it (as any real webhook must) and answers one fixed AdmissionReview. Same TLS
// certificate, keep-alive timeout and Node as scangate.
//   node bare-server.child.js CERT_FILE KEY_FILE   → stderr "BENCH_READY {"port":N}"

const [certFile, keyFile] = process.argv.slice(2);
if (certFile === undefined || keyFile === undefined) throw new Error('usage: bare-server.child.js CERT_FILE KEY_FILE');

const answer = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'fixed', allowed: true },
});
const server = createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), keepAliveTimeout: 65_000 },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      } catch {
        res.writeHead(400).end();
      }
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`BENCH_READY ${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
