import { SectionKey, StringKey } from '../config-key.decorators';
import { AdminSchema } from './admin.config';
import { AdmissionSchema } from './admission.config';
import { AnalyzerSchema } from './analyzer.config';
import { CacheSchema } from './cache.config';
import { LogSchema } from './log.config';
import { PolicySchema } from './policy.config';
import { RedisSchema } from './redis.config';
import { RegistriesSchema } from './registries.config';
import { ServerSchema } from './server.config';
import { WorkerSchema } from './worker.config';

/** The whole file, as class-validator checks it. Property initializers are the defaults. */
export class ScangateConfigSchema {
  @SectionKey(() => ServerSchema, 'Admission listener.')
  server = new ServerSchema();

  @SectionKey(() => AdminSchema, 'Admin listener.')
  admin = new AdminSchema();

  @SectionKey(() => RedisSchema, 'Redis; absent: in-memory verdict store and in-process analysis.', {
    optional: true,
  })
  redis?: RedisSchema;

  @SectionKey(() => CacheSchema, 'Verdict cache lifetimes and the in-process cache.')
  cache = new CacheSchema();

  @SectionKey(() => AdmissionSchema, 'Admission decisions.')
  admission = new AdmissionSchema();

  @SectionKey(() => PolicySchema, 'Local rules (no network).')
  policy = new PolicySchema();

  @SectionKey(() => AnalyzerSchema, 'Image analysis service.')
  analyzer = new AnalyzerSchema();

  @SectionKey(() => RegistriesSchema, 'Registry access.')
  registries = new RegistriesSchema();

  @SectionKey(() => WorkerSchema, 'Analysis worker.')
  worker = new WorkerSchema();

  @SectionKey(() => LogSchema, 'Logging.')
  log = new LogSchema();

  @StringKey('Directory for local state (the embedded self-signed certificate); relative to the working directory.')
  dataDir = '.scangate';
}
