/** RFC 9457 problem details, with the hub's stable `code` and per-field `errors` (design.md §5). */
export interface ProblemField {
  readonly field: string;
  readonly code: string;
  readonly message: string;
  readonly expected?: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors: readonly ProblemField[];
  readonly instance?: string;
  readonly correlationId?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The `type` URI of a code: stable, and documented in the README's error table. */
export const problemType = (code: string): string => `urn:ffb-hub:problem:${code}`;

/** An error the edge raises itself (authentication, malformed requests, idempotency). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly errors: readonly ProblemField[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}
