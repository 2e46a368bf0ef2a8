import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import type { EventStore } from '@hub/event-store';
import type { LeaseStore, SingleActiveStatus } from '@hub/leases';
import type { PiiVault } from '@hub/privacy';
import type { DeadLetterStats, InboundStats, Logger as RelayLogger, RelayHealth, RelayState } from '@hub/relay';
import { AuditRecorder } from '../audit/audit.recorder';
import { KafkaAudit } from '../audit/kafka.audit';
import { CommandService } from '../commands/command-service';
import type { AuthConfig } from '../config';
import { Telemetry } from '../ops/telemetry';
import { EVENT_STORE, LEASES, PII_VAULT } from '../tokens';
import type { KafkaConfig } from './kafka.config';
import { startKafkaEdge, type KafkaEdge, type KafkaEdgeDeps } from './kafka.edge';

/** The relay and the inbound consumer in the Nest app's lifecycle: started after boot, stopped before the store closes. */
export class KafkaRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Kafka');
  private edge: KafkaEdge | undefined;
  private starting: Promise<void> | undefined;
  private startFailure: string | undefined;

  constructor(private readonly deps: Omit<KafkaEdgeDeps, 'logger'>) {}

  /**
   * Starts in the background: with the broker unreachable, joining the consumer group retries for many seconds, and
   * the HTTP API must not wait for Kafka (the store is the truth; the relay catches up later).
   */
  onApplicationBootstrap(): void {
    const log =
      (level: 'log' | 'warn' | 'error') =>
      (message: string, fields: Record<string, unknown> = {}): void =>
        this.logger[level]({ msg: message, ...fields });
    const logger: RelayLogger = { info: log('log'), warn: log('warn'), error: log('error') };
    this.starting = startKafkaEdge({ ...this.deps, logger }).then(
      (edge) => {
        this.edge = edge;
      },
      (error: unknown) => {
        this.startFailure = (error as { code?: string }).code ?? (error instanceof Error ? error.name : 'UNKNOWN');
        logger.error('kafka: could not start', { error: String(error) });
      },
    );
  }

  /** Before, not on, shutdown: the relay and the consumer must stop while the store and the vault are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.starting;
    await this.edge?.stop();
  }

  /** For /metrics and /ops: dead letters per code and the latest ones; none while the consumer is not running. */
  deadLetters(): DeadLetterStats | undefined {
    return this.edge?.inbound?.deadLetters();
  }

  /** For /metrics: whether the relay runs here (false on standby); undefined without the relay role or before start. */
  relayActive(): boolean | undefined {
    if (!this.edge || !this.deps.relay) return undefined;
    const lease = this.edge.relayLease();
    return lease ? lease.state === 'active' : this.edge.relay !== undefined;
  }

  /** For /metrics: the relay's checkpoint and records sent; none without a running relay. */
  relayStats(): { readonly checkpoint?: number; readonly recordsSent?: number } | undefined {
    if (!this.edge?.relay) return undefined;
    const { checkpoint, recordsSent } = this.edge.relay.health();
    return {
      ...(checkpoint === undefined ? {} : { checkpoint }),
      ...(recordsSent === undefined ? {} : { recordsSent }),
    };
  }

  /**
   * For /health and /metrics: ok, down (stopped on a failure, being restarted; or the edge could not start) or
   * blocked (an event it cannot map, or a send the broker refuses), with the reason as codes and positions only;
   * events not yet acknowledged by Kafka; what the consumer did. Never throws: a store that cannot say the lag is
   * reported, not turned into a 500.
   */
  async status(): Promise<KafkaStatus> {
    if (this.startFailure) return { status: 'down', reason: 'the Kafka edge could not start', code: this.startFailure };
    if (!this.edge) return { status: 'ok', starting: true };
    const supervised = this.edge.relay;
    const inbound = this.edge.inbound?.stats();
    const lease = this.edge.relayLease();
    // On standby (another instance holds the relay's lease) there is no relay here, and that is healthy.
    if (!supervised) return { status: 'ok', ...(lease ? { relayLease: lease } : {}), ...(inbound ? { inbound } : {}) };
    const { state, ...health } = supervised.health();
    let lag: number | undefined;
    let lagError: string | undefined;
    try {
      lag = await supervised.lag();
    } catch (error) {
      lagError = (error as { code?: string }).code ?? 'UNKNOWN';
      this.logger.error({ msg: 'kafka: the relay lag cannot be read', error: String(error) });
    }
    return {
      status: state,
      relay: { ...(lag !== undefined ? { lag } : { lagError }), ...health },
      ...(lease ? { relayLease: lease } : {}),
      ...(inbound ? { inbound } : {}),
    };
  }
}

export interface KafkaStatus {
  readonly status: RelayState;
  readonly reason?: string;
  readonly code?: string;
  readonly starting?: boolean;
  readonly relay?: Omit<RelayHealth, 'state'> & { readonly lag?: number; readonly lagError?: string };
  readonly inbound?: InboundStats;
  readonly relayLease?: SingleActiveStatus;
}

/**
 * The providers that run Kafka in the hub; none when KAFKA_BROKERS is unset. The relay runs where the instance has
 * the relay role (single active), the inbound consumer where it serves the API (the edge scales out with it).
 */
export function kafkaProviders(
  kafka: KafkaConfig | undefined,
  options: Pick<KafkaEdgeDeps, 'dataDir' | 'relay' | 'inbound' | 'processed' | 'checkpoints'> & {
    /** With leases (several instances): the relay runs under the `relay` lease as this holder. */
    readonly lease?: { readonly holder: string; readonly ttlMs: number };
    /** Production (oidc) dead-letters a command without an `ffb_purpose` header. */
    readonly authMode: AuthConfig['mode'];
  },
): Provider[] {
  if (!kafka || (!options.relay && !options.inbound)) return [];
  const { lease, authMode, ...edge } = options;
  return [
    {
      provide: KafkaRuntime,
      inject: [EVENT_STORE, PII_VAULT, CommandService, Telemetry, LEASES, AuditRecorder],
      useFactory: (
        store: EventStore,
        vault: PiiVault,
        commands: CommandService,
        observer: Telemetry,
        leases: LeaseStore | null,
        recorder: AuditRecorder,
      ) =>
        new KafkaRuntime({
          config: kafka,
          store,
          vault,
          commands,
          observer,
          audit: new KafkaAudit(recorder, authMode),
          ...edge,
          ...(lease && leases ? { lease: { store: leases, ...lease } } : {}),
        }),
    },
  ];
}
