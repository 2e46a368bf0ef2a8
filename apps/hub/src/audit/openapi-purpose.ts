import type { OpenAPIObject } from '@nestjs/swagger';

/** The route prefixes whose every operation touches a borger (the interceptor's borger controllers). */
const BORGER_PATHS = ['/bestillinger', '/delmaal', '/myndighed/', '/udfoerer/', '/observationer', '/sletning'];

/**
 * Documents the `Purpose` header on every operation that touches a borger: the audit log records it when the token
 * carries no `purpose` claim, and production refuses such a request without either (400 AUTH.FORMAAL_MANGLER).
 */
export function documentPurpose(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!BORGER_PATHS.some((prefix) => path.startsWith(prefix))) continue;
    for (const op of Object.values(item) as { parameters?: unknown[] }[]) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
      op.parameters = [
        ...(op.parameters ?? []),
        {
          name: 'Purpose',
          in: 'header',
          required: false,
          description:
            "Why the borger's data are used, recorded in the audit log; only read when the token has no purpose claim. " +
            'Required in production (400 AUTH.FORMAAL_MANGLER without a purpose).',
          schema: { type: 'string', minLength: 1, maxLength: 200 },
        },
      ];
    }
  }
  return document;
}
