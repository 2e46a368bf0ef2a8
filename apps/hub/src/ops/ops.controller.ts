import {
  Controller,
  Get,
  Header,
  Injectable,
  Logger,
  Optional,
  Req,
  Res,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { EventStore } from '@hub/event-store';
import { Public, type AuthenticatedRequest } from '../auth/auth.guard';
import { KafkaRuntime } from '../kafka/kafka.providers';
import { ReadSide } from '../read-models/read-side';
import { CLOCK, type HubClock } from '../clock';
import { EVENT_STORE, HUB_WORKERS } from '../tokens';
import type { HubWorkers } from '../workers';
import { OpsMetrics } from './metrics';
import { OPS_CSP, OPS_PAGE } from './ops.page';
import { opsSnapshot, punkt, type OpsPunkt, type OpsSnapshot } from './ops.snapshot';
import { Telemetry } from './telemetry';

/** How often the sparklines get a point, and how many they keep (10 minutes). */
const HISTORIK_MS = 5_000;
const HISTORIK_PUNKTER = 120;
/** How often an open /ops page gets a snapshot. */
const STROEM_MS = 1_000;

/** The metrics, the sparklines' history and the snapshots of /ops. */
@Injectable()
export class OpsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Ops');
  private readonly historik: OpsPunkt[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly streams = new Set<Response>();

  constructor(
    readonly metrics: OpsMetrics,
    private readonly readSide: ReadSide,
    @Optional() private readonly kafka?: KafkaRuntime,
  ) {}

  onApplicationBootstrap(): void {
    const sample = () =>
      void this.snapshot()
        .then((s) => {
          this.historik.push(punkt(s));
          if (this.historik.length > HISTORIK_PUNKTER) this.historik.shift();
        })
        .catch((error: unknown) => this.logger.warn({ msg: 'ops: no sample', error: (error as Error).name }));
    sample();
    this.timer = setInterval(sample, HISTORIK_MS);
    this.timer.unref();
  }

  /** Before the HTTP server closes: open event streams would keep it from closing. */
  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  snapshot(): Promise<OpsSnapshot> {
    return opsSnapshot(this.metrics, this.readSide, this.kafka, [...this.historik]);
  }

  stream(req: Request, res: Response): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    this.streams.add(res);
    let sending = false;
    const send = async () => {
      if (sending) return;
      sending = true;
      try {
        res.write(`event: snapshot\ndata: ${JSON.stringify(await this.snapshot())}\n\n`);
      } catch (error) {
        this.logger.warn({ msg: 'ops: snapshot failed', error: (error as Error).name });
      } finally {
        sending = false;
      }
    };
    res.write('retry: 2000\n\n');
    void send();
    const timer = setInterval(() => void send(), STROEM_MS);
    const close = () => {
      clearInterval(timer);
      this.streams.delete(res);
    };
    req.on('close', close);
    res.on('close', close);
  }
}

/**
 * /metrics (Prometheus text), /ops (a page for a person), its event stream and a JSON snapshot. Public like /health:
 * ids, codes, counts and times only, never CPR, names or free text (README "Operations").
 */
@ApiExcludeController()
@Controller()
export class OpsController {
  constructor(private readonly ops: OpsService) {}

  @Public()
  @Get('metrics')
  async metrics(@Res() res: Response): Promise<void> {
    const text = await this.ops.metrics.metrics();
    res.status(200).setHeader('Content-Type', this.ops.metrics.registry.contentType).send(text);
  }

  @Public()
  @Get('ops')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', OPS_CSP)
  @Header('Cache-Control', 'no-store')
  page(): string {
    return OPS_PAGE;
  }

  @Public()
  @Get('ops/status.json')
  @Header('Cache-Control', 'no-store')
  status(): Promise<OpsSnapshot> {
    return this.ops.snapshot();
  }

  @Public()
  @Get('ops/stroem')
  stream(@Req() req: Request, @Res() res: Response): void {
    this.ops.stream(req, res);
  }
}

/** Records the authenticated caller of every HTTP request as a fagsystem last seen (party and kommune or tilbud). */
@Injectable()
export class LastSeenInterceptor implements NestInterceptor {
  constructor(private readonly telemetry: Telemetry) {}
  intercept(context: ExecutionContext, next: CallHandler) {
    if (context.getType() === 'http') {
      const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
      if (principal) {
        const id = principal.party === 'myndighed' ? principal.kommunekode : principal.tilbudId;
        if (id) this.telemetry.seen(principal.party, id, 'http');
      }
    }
    return next.handle();
  }
}

/** The ops providers for HubModule: telemetry (always, the edges feed it), metrics, /ops, the last-seen interceptor. */
export function opsProviders(roles: ReadonlySet<string>): Provider[] {
  return [
    Telemetry,
    {
      provide: OpsMetrics,
      inject: [Telemetry, EVENT_STORE, ReadSide, HUB_WORKERS, CLOCK, { token: KafkaRuntime, optional: true }],
      // Lag in seconds by the clock recordedAt is stamped with (a simulated one in demos).
      useFactory: (
        telemetry: Telemetry,
        store: EventStore,
        readSide: ReadSide,
        workers: HubWorkers,
        clock: HubClock,
        kafka: KafkaRuntime | undefined,
      ) => new OpsMetrics({ telemetry, store, readSide, workers, kafka, roles, now: () => clock().getTime() }),
    },
    OpsService,
    { provide: APP_INTERCEPTOR, useClass: LastSeenInterceptor },
  ];
}
