import type { LogLevel } from '../config.types';
import { EnumKey } from '../config-key.decorators';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class LogSchema {
  @EnumKey(LOG_LEVELS, 'Log level (pino).')
  level: LogLevel = 'info';
}
