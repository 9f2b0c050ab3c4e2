/** Injection tokens of the webhook app (ports defined in the pure libraries have their own). */
export const SCANGATE_CONFIG = Symbol('SCANGATE_CONFIG');
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export const LOGGER = Symbol('LOGGER');
export const ANALYZER_IDENTITY = Symbol('ANALYZER_IDENTITY');
export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');
