import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Module,
  Res,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { ffbKatalog, reglerFor } from '@hub/domain';
import { openSqliteEventStore, type EventStore } from '@hub/event-store';
import { openSqlitePiiVault, type PiiVault } from '@hub/privacy';
import { AuthGuard, Public, TOKEN_VERIFIER } from './auth/auth.guard';
import { createTokenVerifier } from './auth/token-verifier';
import { BestillingController } from './bestilling/bestilling.controller';
import { CommandService } from './commands/command-service';
import type { HubConfig } from './config';
import { DelmaalController } from './delmaal/delmaal.controller';
import { CommandExecutor } from './http/command-executor';
import { IdempotencyStore } from './http/idempotency.store';
import { ProblemFilter } from './http/problem.filter';
import { loggerOptions } from './logging';
import { EVENT_STORE, IDEMPOTENCY_STORE, PII_VAULT } from './tokens';

export { EVENT_STORE, PII_VAULT } from './tokens';

@ApiExcludeController()
@Controller()
class HealthController {
  private readonly logger = new Logger('Health');
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** 200 when the store answers; 503 naming the failing part otherwise (design.md §5). */
  @Public()
  @Get('health')
  @HttpCode(200)
  async health(@Res({ passthrough: true }) res: Response) {
    try {
      const position = await this.store.headPosition();
      return { status: 'ok', parts: { store: { status: 'ok', position } } };
    } catch (error) {
      res.status(503);
      // The public body names the part and its code only; the message (paths, driver text) goes to the log.
      this.logger.error(`health: the event store does not answer: ${(error as Error).message}`);
      return {
        status: 'unavailable',
        parts: { store: { status: 'down', code: (error as { code?: string }).code ?? 'UNKNOWN' } },
      };
    }
  }
}

class Resources implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PII_VAULT) private readonly vault: PiiVault,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
  ) {}
  async onApplicationShutdown() {
    await this.store.close();
    this.vault.close();
    this.idempotency.close();
  }
}

@Module({})
export class HubModule {
  static forRoot(config: HubConfig): DynamicModule {
    return {
      module: HubModule,
      imports: [LoggerModule.forRoot(loggerOptions(config.logLevel))],
      controllers: [HealthController, BestillingController, DelmaalController],
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: () => openSqliteEventStore({ file: join(config.dataDir, 'events.sqlite') }),
        },
        {
          provide: PII_VAULT,
          useFactory: () =>
            openSqlitePiiVault({ file: join(config.dataDir, 'pii.sqlite'), masterKey: config.piiMasterKey }),
        },
        { provide: IDEMPOTENCY_STORE, useFactory: () => new IdempotencyStore(join(config.dataDir, 'hub.sqlite')) },
        { provide: TOKEN_VERIFIER, useFactory: () => createTokenVerifier(config.auth) },
        {
          provide: CommandService,
          inject: [EVENT_STORE],
          useFactory: (store: EventStore) =>
            new CommandService({
              store,
              katalog: ffbKatalog,
              clock: () => new Date(),
              newId: randomUUID,
              regler: (kommunekode, tilbudId) => reglerFor(config.regelfil, kommunekode, tilbudId),
            }),
        },
        {
          provide: CommandExecutor,
          inject: [CommandService, IDEMPOTENCY_STORE],
          useFactory: (c: CommandService, i: IdempotencyStore) => new CommandExecutor(c, i),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        Resources,
      ],
      exports: [EVENT_STORE, PII_VAULT, CommandService],
    };
  }
}
