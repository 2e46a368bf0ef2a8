import { createHash, randomUUID } from 'node:crypto';
import { DomainError } from '@hub/domain';
import { AccessDeniedError } from '../commands/access';
import type { Request, Response } from 'express';
import { handleWithBeforeAppend } from '../commands/before-append';
import type { IdFor } from '../commands/command-builders';
import { CommandService, type CommandMeta, type CommandOutcome, type HubCommand } from '../commands/command-service';
import type { Principal } from '../auth/token-verifier';
import { HttpProblem } from './problem';
import { toProblem } from './problem.filter';
import type { IdempotencyStore, StoredResponse } from './idempotency.store';
import { observed, type CommandObserver } from '../ops/telemetry';
import { beforeResponse } from '../audit/audit.interceptor';

export interface CommandResponse {
  /** The id of the resource the command created or acted on. */
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number | null;
  readonly events: readonly { readonly eventId: string; readonly type: string }[];
  readonly advarsler: readonly { readonly code: string; readonly field?: string; readonly message: string }[];
}

export interface ExecuteOptions {
  readonly status: 200 | 201;
  readonly id: string;
  readonly location?: string;
  /** The command creates its stream (afgiv bestilling, opret delmål): If-Match has no meaning then. */
  readonly creates?: boolean;
  /**
   * Runs once the command is known to be accepted (a dry run decided it), before it is appended; returns the command
   * to append. Afgiv bestilling registers the borger in the PII vault here, so a refused bestilling leaves no CPR.
   */
  readonly beforeAppend?: (() => Promise<HubCommand>) | undefined;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** `"3"` or `3` (also weak `W/"3"`) → 3; anything else is a malformed precondition. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"?(-?\d+)"?$/.exec(header.trim());
  if (!m)
    throw new HttpProblem(
      400,
      'HTTP.UGYLDIG_IF_MATCH',
      'Malformed request',
      'If-Match must be the ETag the hub returned, e.g. "3"',
    );
  return Number(m[1]);
}

export const etag = (revision: number): string => `"${revision}"`;

/** Keys are per caller; JSON keeps "a:b"+"c" and "a"+"b:c" apart. */
const idempotencyScope = (caller: Principal): string =>
  JSON.stringify([caller.party, caller.kommunekode ?? caller.tilbudId, caller.subject]);

/** What the same request always gets: malformed (400), the wrong party (403), a business rule or bad value (422). */
function erEndeligAfvisning(error: unknown): boolean {
  if (error instanceof HttpProblem) return error.status === 400 || error.status === 422;
  if (error instanceof AccessDeniedError) return true;
  return error instanceof DomainError && (error.kind === 'rule' || error.kind === 'invalid');
}

/**
 * The HTTP side of every command: Idempotency-Key, If-Match, the party from the token, the response with ETag and
 * Location. Controllers only build the command.
 */
export class CommandExecutor {
  constructor(
    private readonly commands: CommandService,
    private readonly idempotency: IdempotencyStore,
    /** Command latency and outcome for /metrics. */
    private readonly observer?: CommandObserver,
  ) {}

  async execute(
    req: Request & { id?: unknown },
    res: Response,
    caller: Principal,
    command: HubCommand,
    options: ExecuteOptions,
  ): Promise<void> {
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !KEY.test(key))) {
      throw new HttpProblem(
        400,
        'HTTP.UGYLDIG_IDEMPOTENCY_KEY',
        'Malformed request',
        'Idempotency-Key must be 1–255 visible ASCII characters',
      );
    }
    const expectedRevision = parseIfMatch(req.headers['if-match']);
    if (expectedRevision !== undefined && options.creates) {
      throw new HttpProblem(
        400,
        'HTTP.UGYLDIG_IF_MATCH',
        'Malformed request',
        'If-Match has no meaning for a command that creates a new stream',
      );
    }
    const scope = idempotencyScope(caller);
    if (typeof key === 'string') {
      const hash = createHash('sha256')
        .update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`)
        .digest('hex');
      const start = await this.idempotency.begin(scope, key, hash);
      if (start.kind === 'replay') {
        // A replay hands the result out again: it is recorded like the first answer.
        await beforeResponse(req, start.response.status, start.response.body);
        for (const [k, v] of Object.entries(start.response.headers)) res.setHeader(k, v);
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(start.response.status).send(start.response.body);
        return;
      }
      if (start.kind === 'mismatch') {
        throw new HttpProblem(
          422,
          'HTTP.IDEMPOTENCY_KEY_GENBRUGT',
          'Rule violated',
          'this Idempotency-Key was used for another request; use a new key',
        );
      }
      if (start.kind === 'in_progress') {
        throw new HttpProblem(
          409,
          'HTTP.IDEMPOTENCY_KEY_I_GANG',
          'Conflict',
          'a request with this Idempotency-Key is still running; retry later',
          [],
          { 'Retry-After': '1' },
        );
      }
      let stored: StoredResponse;
      try {
        stored = await this.run(req, caller, command, options, expectedRevision);
      } catch (error) {
        // Refusals that the same request always gets are its first result and are replayed; a state that may change
        // (not accepted yet, unknown yet), conflicts and outages give the key back so a retry runs again.
        if (erEndeligAfvisning(error)) {
          const problem = toProblem(error, req);
          await this.idempotency.finish(scope, key, {
            status: problem.status,
            body: JSON.stringify(problem),
            headers: { 'Content-Type': 'application/problem+json' },
          });
        } else await this.idempotency.abandon(scope, key);
        throw error;
      }
      // The command is appended: from here the key is never given back, even if recording the response fails.
      await this.idempotency.finish(scope, key, stored);
      await this.send(req, res, stored);
      return;
    }
    await this.send(req, res, await this.run(req, caller, command, options, expectedRevision));
  }

  private async run(
    req: Request & { id?: unknown },
    caller: Principal,
    command: HubCommand,
    options: ExecuteOptions,
    expectedRevision: number | undefined,
  ) {
    const meta: CommandMeta = {
      actor: caller,
      correlationId: String(req.id),
      ...(expectedRevision === undefined ? {} : { expectedRevision }),
    };
    const outcome: CommandOutcome = await observed(
      this.observer,
      command.type,
      'http',
      (error) => (erEndeligAfvisning(error) || error instanceof DomainError ? 'afvist' : 'fejl'),
      () => handleWithBeforeAppend(this.commands, command, meta, options.beforeAppend),
    );
    const body: CommandResponse = {
      id: options.id,
      streamId: outcome.streamId,
      revision: outcome.revision,
      position: outcome.position,
      events: outcome.events.map((e) => ({ eventId: e.eventId, type: e.type })),
      advarsler: outcome.advarsler,
    };
    return {
      status: options.status,
      body: JSON.stringify(body),
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        ETag: etag(outcome.revision),
        ...(options.location ? { Location: options.location } : {}),
      },
    };
  }

  /**
   * The id of a resource the command creates: the client's, or — with an Idempotency-Key — one derived from the key,
   * so a retry that runs again after a crash names the same resource and is refused as a duplicate instead of
   * creating a second one; otherwise a random one.
   */
  resourceId(req: Request, caller: Principal, given: string | null | undefined, purpose: string): string {
    if (given) return given;
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !KEY.test(key)) return randomUUID();
    const hex = createHash('sha256')
      .update(`${idempotencyScope(caller)}\n${key}\n${purpose}`)
      .digest('hex');
    // RFC 9562 version 8 (custom), variant 10xx.
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** `resourceId` for this request, in the shape the command builders take. */
  idFor(req: Request, caller: Principal): IdFor {
    return (given, purpose) => this.resourceId(req, caller, given, purpose);
  }

  /** The audit entry is written before the answer leaves (a crash after sending loses no entry); else 503. */
  private async send(req: Request, res: Response, stored: StoredResponse): Promise<void> {
    await beforeResponse(req, stored.status, stored.body);
    for (const [k, v] of Object.entries(stored.headers)) res.setHeader(k, v);
    res.status(stored.status).send(stored.body);
  }
}
