import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { documentPurpose } from './audit/openapi-purpose';
import type { HubConfig } from './config';
import { answerMalformedRequests } from './http/client-error';
import { HubModule } from './hub.module';
import { HttpProblem } from './http/problem';
import { documentRateLimit } from './http/rate-limit';
import { securityHeaders } from './http/security-headers';
import { validationPipe } from './http/validation';
import { kafkaAsyncApi } from './kafka/kafka.asyncapi';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** A body in any other format than JSON is refused with 415 before anything reads it (instead of looking empty). */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody || req.is(JSON_TYPES) !== false) return next();
  const message = 'the body must be JSON, sent with Content-Type: application/json';
  next(
    new HttpProblem(415, 'HTTP.UGYLDIG_MEDIETYPE', 'Unsupported media type', message, [
      { field: 'Content-Type', code: 'HTTP.UGYLDIG_MEDIETYPE', message, expected: 'application/json' },
    ]),
  );
}

/** Deeper than any DTO goes; deeper bodies would overflow the stack of the recursive validation. */
export const MAX_BODY_DEPTH = 32;

/** How deep a parsed JSON value nests, counted without recursion (a body of 10,000 nested arrays is one line). */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function refuseDeepBodies(req: Request, _res: Response, next: NextFunction): void {
  if (nestingDepth(req.body, MAX_BODY_DEPTH) <= MAX_BODY_DEPTH) return next();
  const message = `the body nests deeper than ${MAX_BODY_DEPTH} levels`;
  next(new HttpProblem(400, 'HTTP.UGYLDIG_JSON', 'Malformed request', message));
}

/** Builds the hub's HTTP app (used by main.ts and by the e2e tests). */
export async function createHubApp(config: HubConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(HubModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  answerMalformedRequests(app.getHttpServer());
  app.use(securityHeaders());
  app.use(requireJsonBody);
  app.useBodyParser('json', { limit: config.bodyLimitBytes, type: JSON_TYPES });
  app.use(refuseDeepBodies);
  app.useGlobalPipes(validationPipe());
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const document = documentPurpose(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Samspil Hub')
        .setDescription(
          'Event-sourced integration hub between myndighed and udfører (FFB / VUM 2.0). Errors are application/problem+json (RFC 9457) with a stable code; commands take Idempotency-Key and If-Match.',
        )
        .setVersion('1')
        .addBearerAuth({
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Claims: party (myndighed|udfoerer), kommunekode or tilbudId, sub, optional purpose',
        })
        .build(),
    ),
  );
  documentRateLimit(document);
  const http = app.getHttpAdapter().getInstance();
  http.get('/openapi.json', (_req: unknown, res: { json: (body: unknown) => void }) => res.json(document));
  // The command channels are the HTTP bodies (kafkaAsyncApi reuses their schemas): served where the API runs.
  if (config.roles.has('api')) {
    const asyncapi = kafkaAsyncApi(document, config.kafka);
    http.get('/asyncapi.json', (_req: unknown, res: { json: (body: unknown) => void }) => res.json(asyncapi));
  }
  return app;
}
