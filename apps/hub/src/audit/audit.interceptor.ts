import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { mergeMap, type Observable } from 'rxjs';
import type { Principal } from '../auth/token-verifier';
import type { AuthConfig } from '../config';
import { AuditRecorder, collect, touched } from './audit.recorder';
import { resolvePurpose } from './purpose';

/** Set on the request by the interceptor; the command executor calls it before it sends a response itself. */
export const BEFORE_RESPONSE = Symbol('audit before response');

export type AuditableRequest = Request & {
  principal?: Principal;
  id?: unknown;
  [BEFORE_RESPONSE]?: (status: number, body: string) => Promise<void>;
};

/** Runs the request's audit write before a response the handler sends itself (commands use `@Res()`). */
export async function beforeResponse(req: Request, status: number, body: string): Promise<void> {
  await (req as AuditableRequest)[BEFORE_RESPONSE]?.(status, body);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ControllerClass = abstract new (...args: any[]) => unknown;

export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');

export interface AuditOptions {
  readonly authMode: AuthConfig['mode'];
  /** Controllers whose every route touches borgere: a purpose is demanded there (production) before the handler runs. */
  readonly borgerControllers: ReadonlySet<ControllerClass>;
  /**
   * Controllers that record nothing: the analysts' pseudonymised analyses and the regler name no borgerId; the insight
   * request records itself (purpose `indsigt`).
   */
  readonly exempt: ReadonlySet<ControllerClass>;
}

/**
 * Records every use of borger data over HTTP (issue 7): after a 2xx answer and before it is sent, the borgere the
 * answer names (any `borgerId`, and the borger of every bestilling or delmål it names or its path names) are written
 * to the audit log — `laes` for GET, `skriv` for commands — with the caller, the route template and the purpose. If
 * the log cannot be written the request fails with 503 instead of going unlogged.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly recorder: AuditRecorder,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuditableRequest>();
    const caller = req.principal;
    if (context.getType() !== 'http' || !caller || this.options.exempt.has(context.getClass())) return next.handle();
    const header = req.headers['purpose'];
    // Refused before the handler reads or writes anything.
    const purpose = this.options.borgerControllers.has(context.getClass())
      ? resolvePurpose(this.options.authMode, caller.purpose, header)
      : resolvePurpose('hs256', caller.purpose, header);
    const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const params = req.params as Record<string, string | undefined>;
    let recorded = false;
    const record = async (body: unknown) => {
      recorded = true;
      const what = touched();
      collect(body, what);
      if (params['bestillingId']) what.bestillinger.add(params['bestillingId']);
      if (params['delmaalId']) what.delmaal.add(params['delmaalId']);
      await this.recorder.record(
        {
          caller,
          action: req.method === 'GET' || req.method === 'HEAD' ? 'laes' : 'skriv',
          channel: { kind: 'http', method: req.method, route },
          purpose,
          correlationId: String(req.id),
        },
        what,
      );
    };
    req[BEFORE_RESPONSE] = async (status, body) => {
      if (status < 200 || status > 299) return;
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        // Not JSON: only the path names what was touched.
      }
      await record(parsed);
    };
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        if (!recorded && !req.res?.headersSent) await record(body);
        return body;
      }),
    );
  }
}
