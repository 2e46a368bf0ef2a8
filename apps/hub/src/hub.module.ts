import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Module,
  Optional,
  Res,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { ffbKatalog, reglerFor, taersklerFor } from '@hub/domain';
import { openPostgresRuleState, RulesWorker, type RuleStateStore } from '@hub/rules';
import type { EventStore } from '@hub/event-store';
import type { LeaseStore } from '@hub/leases';
import { Fritekst, openPiiVault, type PiiVault, type StoreLocation } from '@hub/privacy';
import { openAuditLog, type AuditLog } from '@hub/audit';
import { AUDIT_OPTIONS, AuditInterceptor, type AuditOptions } from './audit/audit.interceptor';
import { AuditRecorder } from './audit/audit.recorder';
import { AuditRetention } from './audit/audit.retention';
import { IndsigtController } from './audit/indsigt.controller';
import { SletningController } from './audit/sletning.controller';
import { FritekstInterceptor } from './http/fritekst.interceptor';
import { AuthGuard, Public, TOKEN_VERIFIER } from './auth/auth.guard';
import { createTokenVerifier } from './auth/token-verifier';
import { BestillingController } from './bestilling/bestilling.controller';
import { CommandService } from './commands/command-service';
import { CLOCK, hubClock, type HubClock } from './clock';
import type { HubConfig } from './config';
import { DelmaalController } from './delmaal/delmaal.controller';
import { CommandExecutor } from './http/command-executor';
import { openIdempotencyStore, type IdempotencyStore } from './http/idempotency.store';
import { ProblemFilter } from './http/problem.filter';
import { RateLimitGuard, rateLimitModule } from './http/rate-limit';
import { loggerOptions } from './logging';
import { KafkaRuntime, kafkaProviders } from './kafka/kafka.providers';
import {
  AUDIT_LOG,
  EVENT_STORE,
  HUB_WORKERS,
  IDEMPOTENCY_STORE,
  LEASES,
  PII_VAULT,
  PROJECTOR,
  READ_DB,
  READ_MODELS,
  REGELFIL,
  RULE_STATE,
} from './tokens';
import { openEventStore, openLeaseStore, sharedSchema, type SharedPart } from './stores';
import { HubWorkers, type WorkerDefinition } from './workers';
import { ReglerController } from './rules/regler.controller';
import { openPostgresReadDb, openSqliteReadDb, Projector, type ReadDb } from '@hub/read-models';
import {
  AnalyseController,
  MyndighedController,
  ObservationerController,
  UdfoererController,
} from './read-models/read-models.controller';
import { ReadSide, readModels, type HubReadModels } from './read-models/read-side';
import { OpsController, opsProviders } from './ops/ops.controller';
import { OpsMetrics } from './ops/metrics';
import { Telemetry } from './ops/telemetry';

export { EVENT_STORE, PII_VAULT } from './tokens';

@ApiExcludeController()
@Controller()
class HealthController {
  private readonly logger = new Logger('Health');
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(HUB_WORKERS) private readonly workers: HubWorkers,
    @Inject(CLOCK) private readonly clock: HubClock,
    @Optional() private readonly kafka?: KafkaRuntime,
    @Optional() private readonly ops?: OpsMetrics,
  ) {}

  /** 200 when the store answers; 503 naming the failing part otherwise (design.md §5). */
  @Public()
  @Get('health')
  @HttpCode(200)
  async health(@Res({ passthrough: true }) res: Response) {
    const parts: Record<string, unknown> = {};
    let ok = true;
    try {
      parts['store'] = { status: 'ok', position: await this.store.headPosition() };
    } catch (error) {
      ok = false;
      // The public body names the part and its code only; the message (paths, driver text) goes to the log.
      this.logger.error(`health: the event store does not answer: ${(error as Error).message}`);
      parts['store'] = { status: 'down', code: (error as { code?: string }).code ?? 'UNKNOWN' };
    }
    // Worker roles on standby (another instance holds the lease) are healthy and say so.
    for (const w of this.workers.status())
      if (w.state !== 'active') parts[w.role === 'relay' ? 'relayLease' : w.role] = { status: w.state };
    const projector = this.workers.current<Projector>('projector');
    const rulesWorker = this.workers.current<RulesWorker>('rules');
    const lease = (role: 'projector' | 'rules') => {
      const w = this.workers.status().find((s) => s.role === role);
      return w?.token === undefined ? {} : { lease: { token: w.token, takeovers: w.takeovers } };
    };
    if (projector && ok) {
      try {
        // Down when a read model has had no live generation for longer than the grace, or its build keeps failing;
        // a first build in progress is ok and named in `building`. The failures' messages go to the log only.
        const health = projector.health();
        parts['projector'] = {
          status: health.status,
          readModels: await projector.status(),
          ...(health.building.length > 0 ? { building: health.building } : {}),
          ...(health.failing.length > 0
            ? { failing: health.failing.map(({ readModel, failures, since }) => ({ readModel, failures, since })) }
            : {}),
          ...(health.down.length > 0 ? { down: health.down } : {}),
          ...lease('projector'),
        };
        if (health.status !== 'ok') {
          ok = false;
          for (const f of health.failing)
            this.logger.error(`health: the build of ${f.readModel} failed ${f.failures} times: ${f.message}`);
          this.logger.error(
            `health: projector down for ${health.down.join(', ')} (no live generation or failing build)`,
          );
        }
      } catch {
        ok = false;
        parts['projector'] = { status: 'down' };
      }
    }
    if (rulesWorker && ok) {
      try {
        const rules = await rulesWorker.status();
        parts['rules'] = {
          ...lease('rules'),
          status: rules.state,
          position: rules.checkpoint,
          lag: rules.lag,
          fristerAfventer: rules.fristerAfventer,
          fristerForfaldne: rules.fristerForfaldne,
          udbakke: rules.udbakke,
          afviste: rules.afviste,
          restarts: rules.restarts,
          ...(rules.code ? { code: rules.code } : {}),
          ...(rules.position === undefined ? {} : { blockedAt: rules.position }),
        };
        if (rules.state !== 'ok') ok = false;
      } catch (error) {
        ok = false;
        this.logger.error(`health: the rules worker's state cannot be read: ${(error as Error).name}`);
        parts['rules'] = { status: 'down' };
      }
    }
    if (this.kafka) {
      // status() never throws (a store outage is reported in it); the catch is for a bug, which must not be a 500.
      const kafka = await this.kafka.status().catch((error: unknown) => {
        this.logger.error(`health: Kafka status failed: ${(error as Error).message}`);
        return { status: 'down' as const, reason: 'status unavailable' };
      });
      parts['kafka'] = kafka;
      if (kafka.status !== 'ok') ok = false;
    }
    if (this.ops) {
      // The read store, and the api role, which has no part of its own above (the other parts are checked above).
      const readStore = await this.ops.readStoreUp();
      parts['readStore'] = { status: readStore ? 'ok' : 'down' };
      if (!readStore) ok = false;
      if (this.ops.runsApi) parts['api'] = { status: 'ok' };
    }
    if (!ok) res.status(503);
    // A simulated clock (development, demos) is shown, so clients date what they send by the hub's time.
    const ur = this.clock.simuleret;
    const clock = ur
      ? { clock: { now: this.clock().toISOString(), start: ur.start.toISOString(), speed: ur.speed } }
      : {};
    return { status: ok ? 'ok' : 'unavailable', parts, ...clock };
  }
}

class Resources implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PII_VAULT) private readonly vault: PiiVault,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    @Inject(READ_DB) private readonly readDb: ReadDb,
    @Inject(HUB_WORKERS) private readonly workers: HubWorkers,
    @Inject(RULE_STATE) private readonly ruleState: RuleStateStore | null,
    @Inject(LEASES) private readonly leases: LeaseStore | null,
  ) {}
  async onApplicationBootstrap() {
    await this.workers.start();
  }
  async onApplicationShutdown() {
    await this.workers.stop();
    await this.ruleState?.close();
    await this.leases?.close();
    await this.readDb.close();
    await this.store.close();
    await this.vault.close();
    await this.idempotency.close();
  }
}

@Module({})
export class HubModule {
  static forRoot(config: HubConfig): DynamicModule {
    const clock = hubClock(config.ur);
    // The lease holder: the instance's name plus this boot's nonce, so two replicas given one HUB_INSTANCE_ID (a
    // scaled compose service, a Deployment) can never both hold a lease; a clean stop releases it (docs/adr/0011).
    const holder = `${config.instanceId}#${randomBytes(4).toString('hex')}`;
    /** A store the instances share: a schema in PostgreSQL in the production topology, else a file in HUB_DATA_DIR. */
    const location = (part: SharedPart, file: string): StoreLocation =>
      config.shared.kind === 'postgres'
        ? { kind: 'postgres', connectionString: config.shared.url, schema: sharedSchema(config, part) }
        : { kind: 'sqlite', file: join(config.dataDir, file) };
    return {
      module: HubModule,
      imports: [LoggerModule.forRoot(loggerOptions(config.logLevel)), rateLimitModule(config)],
      controllers: [
        HealthController,
        OpsController,
        ...(config.roles.has('api')
          ? [
              BestillingController,
              DelmaalController,
              MyndighedController,
              UdfoererController,
              ObservationerController,
              AnalyseController,
              ReglerController,
              IndsigtController,
              SletningController,
            ]
          : []),
      ],
      providers: [
        { provide: CLOCK, useValue: clock },
        { provide: EVENT_STORE, useFactory: () => openEventStore(config, clock) },
        {
          provide: PII_VAULT,
          useFactory: () => openPiiVault(location('vault', 'pii.sqlite'), { masterKey: config.piiMasterKey }),
        },
        { provide: IDEMPOTENCY_STORE, useFactory: () => openIdempotencyStore(location('api', 'hub.sqlite')) },
        // Leases only where several instances share the state (docs/adr/0011); one process owns an embedded data dir.
        { provide: LEASES, useFactory: () => (config.shared.kind === 'postgres' ? openLeaseStore(config) : null) },
        {
          provide: RULE_STATE,
          useFactory: () =>
            config.shared.kind === 'postgres' && config.roles.has('rules')
              ? openPostgresRuleState({ connectionString: config.shared.url, schema: sharedSchema(config, 'rules') })
              : null,
        },
        { provide: TOKEN_VERIFIER, useFactory: () => createTokenVerifier(config.auth) },
        // The audit log beside the other shared state: <HUB_DATA_DIR>/audit.sqlite or the `<schema>_audit` schema.
        { provide: AUDIT_LOG, useFactory: () => openAuditLog(location('audit', 'audit.sqlite')) },
        {
          provide: AuditRecorder,
          inject: [AUDIT_LOG, EVENT_STORE, ReadSide],
          useFactory: (log: AuditLog, store: EventStore, reads: ReadSide) =>
            new AuditRecorder(log, store, reads, clock),
        },
        {
          provide: AuditRetention,
          inject: [AUDIT_LOG],
          useFactory: (log: AuditLog) => new AuditRetention(log, config.auditRetentionDays, clock),
        },
        {
          provide: AUDIT_OPTIONS,
          useValue: {
            authMode: config.auth.mode,
            borgerControllers: new Set([
              BestillingController,
              DelmaalController,
              MyndighedController,
              UdfoererController,
              ObservationerController,
            ]),
            // These record their own uses (indsigt, sletning) or touch no borger.
            exempt: new Set([
              AnalyseController,
              ReglerController,
              IndsigtController,
              SletningController,
              OpsController,
              HealthController,
            ]),
          } satisfies AuditOptions,
        },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        // Inside the audit interceptor: opens the free text of every answer last (design.md §3).
        { provide: Fritekst, inject: [PII_VAULT], useFactory: (vault: PiiVault) => new Fritekst(vault) },
        { provide: APP_INTERCEPTOR, useClass: FritekstInterceptor },
        { provide: REGELFIL, useValue: config.regelfil },
        {
          provide: READ_DB,
          useFactory: () =>
            config.readStore.kind === 'postgres'
              ? openPostgresReadDb(config.readStore.url, config.readStore.schema)
              : openSqliteReadDb(join(config.dataDir, 'read.sqlite')),
        },
        { provide: READ_MODELS, useFactory: () => readModels(config.analyseKey) },
        {
          provide: ReadSide,
          inject: [READ_DB, READ_MODELS],
          useFactory: (readDb: ReadDb, models: HubReadModels) => new ReadSide(readDb, models, config.minGruppe, clock),
        },
        {
          provide: PROJECTOR,
          inject: [EVENT_STORE, READ_DB, READ_MODELS],
          useFactory: (store: EventStore, readDb: ReadDb, models: HubReadModels) =>
            config.roles.has('projector') ? new Projector({ store, readDb, models: Object.values(models) }) : null,
        },
        {
          provide: HUB_WORKERS,
          inject: [EVENT_STORE, PROJECTOR, LEASES, RULE_STATE],
          useFactory: (
            store: EventStore,
            projector: Projector | null,
            leases: LeaseStore | null,
            ruleState: RuleStateStore | null,
          ) => {
            const workers: WorkerDefinition[] = [];
            // The projector keeps its read models' generations between terms: the same instance starts again.
            if (projector)
              workers.push({
                role: 'projector',
                create: () => ({ instance: projector, start: () => projector.start(), stop: () => projector.stop() }),
              });
            if (config.roles.has('rules')) {
              const logger = new Logger('Rules');
              const log =
                (level: 'log' | 'warn' | 'error') =>
                (message: string, fields?: Record<string, unknown>): void =>
                  logger[level]({ msg: message, ...fields });
              // A fresh worker for each term: it caches rule state and its checkpoint.
              const create = () => {
                const worker = new RulesWorker({
                  store,
                  ...(ruleState ? { state: ruleState } : { file: join(config.dataDir, 'rules.sqlite') }),
                  katalog: ffbKatalog,
                  taerskler: (kommunekode) => taersklerFor(config.regelfil, kommunekode),
                  clock,
                  // A fast clock: look at the deadlines more often, or they fall due late by up to a tick of simulated time.
                  ...(config.ur && config.ur.speed > 1 ? { tickMs: 100 } : {}),
                  logger: { info: log('log'), warn: log('warn'), error: log('error') },
                });
                return { instance: worker, start: async () => worker.start(), stop: () => worker.stop() };
              };
              workers.push({ role: 'rules', create });
            }
            const logger = new Logger('Leases');
            return new HubWorkers({
              leases,
              holder,
              ttlMs: config.leaseTtlMs,
              workers,
              logger: {
                info: (msg, fields) => logger.log({ msg, ...fields }),
                warn: (msg, fields) => logger.warn({ msg, ...fields }),
              },
            });
          },
        },
        {
          provide: CommandService,
          inject: [EVENT_STORE, Fritekst],
          useFactory: (store: EventStore, fritekst: Fritekst) =>
            new CommandService({
              store,
              beskyt: (borgerId, events) => fritekst.beskyt(borgerId, events),
              katalog: ffbKatalog,
              clock,
              newId: randomUUID,
              regler: (kommunekode, tilbudId) => reglerFor(config.regelfil, kommunekode, tilbudId),
            }),
        },
        {
          provide: CommandExecutor,
          inject: [CommandService, IDEMPOTENCY_STORE, Telemetry],
          useFactory: (c: CommandService, i: IdempotencyStore, t: Telemetry) => new CommandExecutor(c, i, t),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        // After AuthGuard: it limits per authenticated caller (the principal AuthGuard sets).
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        Resources,
        ...opsProviders(config.roles),
        ...kafkaProviders(config.kafka, {
          authMode: config.auth.mode,
          dataDir: config.dataDir,
          relay: config.roles.has('relay'),
          inbound: config.roles.has('api'),
          ...(config.shared.kind === 'postgres'
            ? {
                processed: location('api', 'kafka.sqlite'),
                checkpoints: {
                  kind: 'postgres' as const,
                  connectionString: config.shared.url,
                  schema: sharedSchema(config, 'relay'),
                },
                lease: { holder, ttlMs: config.leaseTtlMs },
              }
            : {}),
        }),
      ],
      exports: [EVENT_STORE, PII_VAULT, CommandService, PROJECTOR, READ_DB, HUB_WORKERS, CLOCK],
    };
  }
}
