import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';

const CORRELATION = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Structured request logs: method, path, status, duration, correlation id, and the caller's party. Never bodies, query
 * strings or headers with credentials; paths hold only UUIDs, so no personal data reaches a log line.
 */
export function loggerOptions(level: string): Params {
  return {
    pinoHttp: {
      level,
      genReqId: (req: IncomingMessage) => {
        const given = req.headers['x-correlation-id'];
        return typeof given === 'string' && CORRELATION.test(given) ? given : randomUUID();
      },
      customProps: (req: IncomingMessage) => {
        const principal = (
          req as IncomingMessage & {
            principal?: { party: string; kommunekode?: string; tilbudId?: string; subject: string };
          }
        ).principal;
        return principal
          ? {
              party: principal.party,
              kommunekode: principal.kommunekode,
              tilbudId: principal.tilbudId,
              sub: principal.subject,
            }
          : {};
      },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: String(req.url).split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: ['req.headers', 'res.headers', '*.cpr', '*.authorization'], remove: true },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
    },
  };
}
