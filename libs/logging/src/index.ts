export { createLogger, PinoNestLogger } from './logger';
