export const EVENT_STORE = Symbol('EVENT_STORE');
export const PII_VAULT = Symbol('PII_VAULT');
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
