import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { documentPurpose } from './audit/openapi-purpose';
import type { HubConfig } from './config';
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

/** Builds the hub's HTTP app (used by main.ts and by the e2e tests). */
export async function createHubApp(config: HubConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(HubModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.use(securityHeaders());
  app.use(requireJsonBody);
  app.useBodyParser('json', { limit: config.bodyLimitBytes, type: JSON_TYPES });
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
