import type { Command } from 'commander';
import { RegistryError } from '@scangate/analysis';
import { tryParseImageRef } from '@scangate/image-ref';
import { loadConfigOrExit } from '../io/load-config';
import { readInput } from '../io/read-input';
import { writeFileAtomic } from '../io/write-file-atomic';
import { PinError, pinManifests } from '../image/manifest-pin';
import { registryClientFor } from '../image/registry-client';
import { digestResolverOf, viewOf } from '../image/resolved-image.view';

/**
 * `scangate image resolve|pin`: the registry client from a terminal, with the config's
 * registries, credentials and egress guard (`policy.allowedRegistries`, private networks).
 * Exit status: 0 done, 1 a registry or pin failure, 2 unusable input or config.
 */
export function registerImageCommand(program: Command): void {
  const image = program.command('image').description('resolve image references and pin manifests to digests');

  image
    .command('resolve')
    .description(
      'print what the registry client sees for a reference: digest, media type, platform manifests, config, layers (JSON)',
    )
    .argument('<ref>', 'image reference (nginx:1.27, ghcr.io/acme/app@sha256:…)')
    .option('-p, --platform <os/arch>', 'platform to pick from an index (default: linux/amd64)')
    .option('-c, --config <file>', 'config file (default: $SCANGATE_CONFIG; none: embedded defaults)')
    .action(async (input: string, options: { platform?: string; config?: string }) => {
      const parsed = tryParseImageRef(input);
      if (!parsed.ok) usage(`invalid image reference ${JSON.stringify(input)}: ${parsed.error.message}`);
      if (options.platform !== undefined && !isPlatform(options.platform)) {
        usage(`--platform must be os/arch or os/arch/variant (got ${JSON.stringify(options.platform)})`);
      }
      const { config } = loadConfigOrExit(options.config);
      const client = registryClientFor(config, options.platform);
      try {
        const resolved = await client.resolve(parsed.ref, new AbortController().signal);
        process.stdout.write(`${JSON.stringify(viewOf(resolved), null, 2)}\n`);
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        fail(
          `${parsed.ref.familiar}: ${error.message} (${error.code}, ${error.transient ? 'transient' : 'permanent'})`,
        );
      } finally {
        client.close();
      }
    });

  image
    .command('pin')
    .description('rewrite every image reference in Kubernetes manifests to name:tag@digest, keeping the YAML layout')
    .argument('<file>', 'YAML or JSON file (multi-document), or - for stdin')
    .option('-w, --write', 'rewrite the file in place (atomically) instead of printing the result')
    .option('-c, --config <file>', 'config file (default: $SCANGATE_CONFIG; none: embedded defaults)')
    .action(async (file: string, options: { write?: boolean; config?: string }) => {
      if (options.write && file === '-') usage('--write needs a file, not stdin');
      const text = readInput(file);
      const { config } = loadConfigOrExit(options.config);
      const client = registryClientFor(config);
      let result;
      try {
        result = await pinManifests(text, digestResolverOf(client));
      } catch (error) {
        if (!(error instanceof PinError)) throw error;
        fail(error.message);
      } finally {
        client.close();
      }
      const pinned = result.images.filter((found) => found.action === 'pinned').length;
      const verified = result.images.length - pinned;
      if (options.write) {
        if (result.text !== text) writeFileAtomic(file, result.text);
      } else {
        process.stdout.write(result.text);
      }
      process.stderr.write(
        `scangate: ${pinned} image reference(s) pinned, ${verified} already pinned and verified` +
          `${options.write ? (result.text !== text ? ` (${file} rewritten)` : ` (${file} unchanged)`) : ''}\n`,
      );
    });
}

/** `os/arch` or `os/arch/variant`, each part non-empty. */
function isPlatform(value: string): boolean {
  const parts = value.split('/');
  return (parts.length === 2 || parts.length === 3) && parts.every((part) => part !== '' && part.trim() === part);
}

function usage(message: string): never {
  process.stderr.write(`scangate: ${message}\n`);
  process.exit(2);
}

function fail(message: string): never {
  process.stderr.write(`scangate: ${message}\n`);
  process.exit(1);
}
