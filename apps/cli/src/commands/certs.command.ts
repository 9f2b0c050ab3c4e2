import { resolve } from 'node:path';
import type { Command } from 'commander';
import { KEY_TYPES } from '@scangate/webhook';
import type { KeyType } from '@scangate/webhook';
import { ExistingFilesError, assertWritable, writeCertificateFiles } from '../certs/certificate-files';
import {
  CA_VALID_DAYS,
  SERVING_VALID_DAYS,
  createServingCertificates,
  serviceNames,
  servingRequestProblems,
} from '../certs/serving-certificates';

interface CertsOptions {
  readonly service: string;
  readonly namespace: string;
  readonly out: string;
  readonly san: string[];
  readonly days: string;
  readonly force?: boolean;
  readonly keyType: string;
}

/**
 * `scangate certs`: a private CA and a serving certificate for the webhook's Service, as the
 * files of a `kubernetes.io/tls` secret (tls.crt, tls.key) plus ca.crt (the caBundle) and ca.key.
 * Exit status: 0 written, 1 files already there (without --force), 2 bad flags.
 */
export function registerCertsCommand(program: Command): void {
  program
    .command('certs')
    .description(
      `write a CA (${CA_VALID_DAYS} days) and a serving certificate for NAME.NS.svc (default ${SERVING_VALID_DAYS} days): ` +
        'ca.crt, ca.key, tls.crt, tls.key',
    )
    .requiredOption('--service <name>', 'the webhook Service name')
    .requiredOption('--namespace <ns>', 'the Service namespace')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .option('--san <name>', 'an extra DNS name or IP address (repeatable)', collect, [])
    .option('--days <n>', 'lifetime of the serving certificate in days', String(SERVING_VALID_DAYS))
    .option('--key-type <type>', `key algorithm: ${KEY_TYPES.join(' or ')}`, 'ecdsa-p256')
    .option('--force', 'replace existing files')
    .action(async (options: CertsOptions) => {
      if (!isKeyType(options.keyType))
        usage(`--key-type must be one of ${KEY_TYPES.join(', ')} (got ${JSON.stringify(options.keyType)})`);
      const request = {
        service: options.service,
        namespace: options.namespace,
        extraNames: options.san,
        days: Number(options.days),
        keyType: options.keyType,
      };
      const problems = servingRequestProblems(request);
      if (problems.length > 0) usage(problems.join('\n  '));
      const dir = resolve(options.out);
      try {
        // Checked before making keys too, so a refusal is immediate.
        assertWritable(dir, options.force === true);
        const paths = writeCertificateFiles(dir, await createServingCertificates(request), options.force === true);
        process.stderr.write(
          `scangate: wrote ${Object.values(paths).join(', ')}\n` +
            `  serving names: ${serviceNames(request.service, request.namespace, request.extraNames).join(', ')}\n` +
            `  key type ${request.keyType}; serving certificate valid ${request.days} days, CA ${Math.max(CA_VALID_DAYS, request.days)} days\n`,
        );
      } catch (error) {
        if (error instanceof ExistingFilesError) fail(error.message);
        throw error;
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

function usage(message: string): never {
  process.stderr.write(`scangate: ${message}\n`);
  process.exit(2);
}

function fail(message: string): never {
  process.stderr.write(`scangate: ${message}\n`);
  process.exit(1);
}
