import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { CommandService, type CommandMeta, type CommandOutcome, type HubCommand } from '../commands/command-service';
import type { Principal } from '../auth/token-verifier';
import { HttpProblem } from './problem';
import { toProblem } from './problem.filter';
import type { IdempotencyStore } from './idempotency.store';

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
  /**
   * Runs once the command is known to be accepted (a dry run decided it), before it is appended; returns the command
   * to append. Afgiv bestilling registers the borger in the PII vault here, so a refused bestilling leaves no CPR.
   */
  readonly beforeAppend?: (() => HubCommand) | undefined;
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

/**
 * The HTTP side of every command: Idempotency-Key, If-Match, the party from the token, the response with ETag and
 * Location. Controllers only build the command.
 */
export class CommandExecutor {
  constructor(
    private readonly commands: CommandService,
    private readonly idempotency: IdempotencyStore,
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
    const scope = `${caller.party}:${caller.kommunekode ?? caller.tilbudId}:${caller.subject}`;
    if (typeof key === 'string') {
      const hash = createHash('sha256')
        .update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`)
        .digest('hex');
      const start = this.idempotency.begin(scope, key, hash);
      if (start.kind === 'replay') {
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
      try {
        const stored = await this.run(req, caller, command, options, expectedRevision);
        this.idempotency.finish(scope, key, stored);
        this.send(res, stored);
      } catch (error) {
        const problem = toProblem(error, req);
        // Deterministic refusals are the first result and are replayed; conflicts and outages may pass on a retry.
        if ([400, 403, 404, 422].includes(problem.status)) {
          this.idempotency.finish(scope, key, {
            status: problem.status,
            body: JSON.stringify(problem),
            headers: { 'Content-Type': 'application/problem+json' },
          });
        } else this.idempotency.abandon(scope, key);
        throw error;
      }
      return;
    }
    this.send(res, await this.run(req, caller, command, options, expectedRevision));
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
    let toAppend = command;
    if (options.beforeAppend) {
      await this.commands.handle(command, { ...meta, dryRun: true });
      toAppend = options.beforeAppend();
    }
    const outcome: CommandOutcome = await this.commands.handle(toAppend, meta);
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

  private send(res: Response, stored: { status: number; body: string; headers: Record<string, string> }): void {
    for (const [k, v] of Object.entries(stored.headers)) res.setHeader(k, v);
    res.status(stored.status).send(stored.body);
  }
}
