export const EVENT_STORE = Symbol('EVENT_STORE');
export const PII_VAULT = Symbol('PII_VAULT');
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
export const READ_DB = Symbol('READ_DB');
export const READ_MODELS = Symbol('READ_MODELS');
export const PROJECTOR = Symbol('PROJECTOR');
export const RULES_WORKER = Symbol('RULES_WORKER');
export const REGELFIL = Symbol('REGELFIL');
