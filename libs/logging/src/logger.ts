import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import type { Logger } from 'pino';

/** Structured logs; credentials never printed. */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'scangate' },
      redact: {
        paths: ['*.authorization', '*.Authorization', '*.password', '*.token', '*.psk', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Nest's own messages through the same logger (its bootstrap chatter at debug). */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown): void {
    this.logger.debug({ source: 'nest' }, String(message));
  }
  error(message: unknown, trace?: string): void {
    this.logger.error({ source: 'nest', trace }, String(message));
  }
  warn(message: unknown): void {
    this.logger.warn({ source: 'nest' }, String(message));
  }
  debug(message: unknown): void {
    this.logger.debug({ source: 'nest' }, String(message));
  }
  verbose(message: unknown): void {
    this.logger.trace({ source: 'nest' }, String(message));
  }
}
