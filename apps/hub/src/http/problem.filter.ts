import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@hub/domain';
import { EventStoreError, StoreUnavailableError, WrongExpectedRevisionError } from '@hub/event-store';
import { SletningIGangError } from '@hub/privacy';
import { AccessDeniedError } from '../commands/access';
import { HttpProblem, problemType, PROBLEM_CONTENT_TYPE, type Problem } from './problem';

const TITLES: Record<number, string> = {
  400: 'Malformed request',
  401: 'Not authenticated',
  403: 'Not allowed for this party',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Rule violated',
  500: 'Internal error',
  503: 'Service unavailable',
};

/**
 * The one place errors become HTTP (style.md habit 12): domain `not_found` → 404, other domain errors → 422, access →
 * 403, concurrency → 409 (412 when the client sent If-Match), store down → 503. Anything unexpected is a 500 whose
 * body says nothing internal; it is logged with the correlation id, never with the request body.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const problem = toProblem(exception, req);
    if (problem.status >= 500)
      this.logger.error(
        `${req.method} ${req.path} failed (${String(req.id)}): ${(exception as Error)?.stack ?? String(exception)}`,
      );
    if (exception instanceof HttpProblem) for (const [k, v] of Object.entries(exception.headers)) res.setHeader(k, v);
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}

/** Maps any error to the problem the client gets. */
export function toProblem(exception: unknown, req: Request & { id?: unknown }): Problem {
  const problem = problemOf(exception, req);
  return { ...problem, instance: req.originalUrl, ...(req.id ? { correlationId: String(req.id) } : {}) };
}

function problemOf(exception: unknown, req: Request): Problem {
  const make = (
    status: number,
    code: string,
    detail: string,
    errors: Problem['errors'] = [],
    title = TITLES[status] ?? 'Error',
  ): Problem => ({
    type: problemType(code),
    title,
    status,
    detail,
    code,
    errors,
  });
  if (exception instanceof HttpProblem)
    return make(exception.status, exception.code, exception.message, exception.errors, exception.title);
  if (exception instanceof DomainError) {
    const status = exception.kind === 'not_found' ? 404 : 422;
    return make(
      status,
      exception.code,
      exception.violations.map((v) => v.message).join('; '),
      exception.violations.map((v) => ({
        field: v.field ?? '',
        code: v.code,
        message: v.message,
        ...(v.expected ? { expected: v.expected } : {}),
      })),
    );
  }
  if (exception instanceof AccessDeniedError) return make(403, exception.code, exception.message);
  if (exception instanceof WrongExpectedRevisionError) {
    const ifMatch = req.headers['if-match'] !== undefined;
    return make(
      ifMatch ? 412 : 409,
      exception.code,
      ifMatch
        ? `the bestilling is at revision ${exception.actual}, not the one in If-Match; read it again`
        : 'another write to the same stream came first; read it again and retry',
    );
  }
  if (exception instanceof SletningIGangError)
    return make(409, exception.code, 'the borger is being erased right now; nothing was written');
  if (exception instanceof StoreUnavailableError)
    return make(503, exception.code, 'the event store is unavailable; nothing was written');
  // Any other store error (an invalid append, an event id stored twice) is the hub's own bug, never the client's.
  if (exception instanceof EventStoreError) {
    return make(
      500,
      'HTTP.INTERN_FEJL',
      'the hub could not handle the request; it has been logged with its correlation id',
    );
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse() as { message?: unknown; type?: string };
    if (status === 413) return make(413, 'HTTP.FOR_STOR', 'the request body is larger than the hub accepts');
    if (
      status === 400 &&
      (exception as { name?: string }).name === 'BadRequestException' &&
      /JSON/i.test(String(body.message))
    ) {
      return make(400, 'HTTP.UGYLDIG_JSON', 'the body is not valid JSON');
    }
    if (status === 404) return make(404, 'HTTP.UKENDT_RUTE', `no route ${req.method} ${req.path}`);
    return make(status, `HTTP.${status}`, typeof body.message === 'string' ? body.message : exception.message);
  }
  const bodyParser = (exception ?? {}) as { type?: string; status?: number };
  if (bodyParser?.type === 'entity.too.large')
    return make(413, 'HTTP.FOR_STOR', 'the request body is larger than the hub accepts');
  if (bodyParser?.type === 'entity.parse.failed') return make(400, 'HTTP.UGYLDIG_JSON', 'the body is not valid JSON');
  if (bodyParser?.type === 'charset.unsupported' || bodyParser?.type === 'encoding.unsupported')
    return make(415, 'HTTP.UGYLDIG_MEDIETYPE', 'the body must be JSON in UTF-8, without a Content-Encoding');
  // The body parser's other refusals (a body shorter than its Content-Length, an undecodable gzip body): the client's.
  const { status, expose } = bodyParser as { status?: unknown; expose?: unknown };
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500)
    return make(400, 'HTTP.UGYLDIG_FORESPOERGSEL', 'the request body could not be read');
  return make(
    500,
    'HTTP.INTERN_FEJL',
    'the hub could not handle the request; it has been logged with its correlation id',
  );
}
