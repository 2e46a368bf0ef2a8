import { join } from 'node:path';
import type { EventStore } from '@hub/event-store';
import { SingleActive, type LeaseStore, type SingleActiveStatus } from '@hub/leases';
import { Fritekst, type PiiVault } from '@hub/privacy';
import {
  createKafka,
  createKafkaInboundSource,
  createKafkaPublisher,
  openPostgresCheckpointStore,
  openSqliteCheckpointStore,
  openProcessedMessages,
  silentLogger,
  startInboundConsumer,
  startRelay,
  superviseRelay,
  topicNames,
  type InboundConsumer,
  type KafkaClientConfig,
  type CheckpointStore,
  type Logger,
  type ProcessedMessagesLocation,
  type SupervisedRelay,
} from '@hub/relay';
import type { CommandService } from '../commands/command-service';
import type { CommandObserver } from '../ops/telemetry';
import type { KafkaAudit } from '../audit/kafka.audit';
import { kafkaCommandHandler } from './kafka-command-handler';
import type { KafkaConfig } from './kafka.config';

export interface KafkaEdgeDeps {
  readonly config: KafkaConfig;
  readonly store: EventStore;
  readonly vault: PiiVault;
  readonly commands: CommandService;
  /** Where the relay's checkpoint (`kafka.sqlite`) lives, and the consumer's processed ids unless `processed` says. */
  readonly dataDir: string;
  /**
   * Where the inbound consumer records the message ids it handled. Default `{ kind: 'sqlite', file: <dataDir>/kafka.sqlite }`;
   * API instances that share a consumer group share a PostgreSQL schema here, so a redelivery to another is known.
   */
  readonly processed?: ProcessedMessagesLocation;
  /** The relay role: one active instance publishes the log. */
  readonly relay: boolean;
  /**
   * Where the relay's checkpoint lives. Default `<dataDir>/kafka.sqlite`; instances that take the relay over from each
   * other share a PostgreSQL schema here.
   */
  readonly checkpoints?: { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string };
  /** With several instances: the relay runs only while this instance holds the `relay` lease (docs/adr/0011). */
  readonly lease?: { readonly store: LeaseStore; readonly holder: string; readonly ttlMs: number };
  /** The inbound edge: every api instance joins the command consumer group. */
  readonly inbound: boolean;
  readonly logger?: Logger;
  /** Command latency and senders last seen, for /metrics. */
  readonly observer?: CommandObserver;
  /** Records deliveries and inbound commands in the audit log. */
  readonly audit?: KafkaAudit;
  /** Test only (docs/adr/0006): how broker connections are opened, e.g. through an outage proxy. */
  readonly socketFactory?: KafkaClientConfig['socketFactory'];
  /** Test only: back-off and topic discovery made quick. */
  readonly tuning?: {
    readonly retryInitialMs?: number;
    readonly retryMaxMs?: number;
    readonly topicRefreshMs?: number;
  };
}

export interface KafkaEdge {
  /**
   * The relay, restarted from its checkpoint when it stops on a failure (see superviseRelay); undefined without the
   * relay role, and while another instance holds the relay's lease.
   */
  readonly relay: SupervisedRelay | undefined;
  /** The relay's lease, when it runs under one. */
  relayLease(): SingleActiveStatus | undefined;
  readonly inbound: InboundConsumer | undefined;
  stop(): Promise<void>;
}

/** Finished message ids are kept this long; a redelivery cannot be older than any sane topic retention. */
const PROCESSED_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * Starts what Kafka does for this instance: the relay (store log → integration events) and the inbound command
 * consumer (command topics → CommandService, refusals to the dead-letter topics), on one producer.
 */
export async function startKafkaEdge(deps: KafkaEdgeDeps): Promise<KafkaEdge> {
  const logger = deps.logger ?? silentLogger;
  const clientConfig: KafkaClientConfig = {
    ...deps.config.client,
    logger,
    ...(deps.socketFactory ? { socketFactory: deps.socketFactory } : {}),
  };
  const kafka = createKafka(clientConfig);
  const publisher = createKafkaPublisher(kafka, clientConfig);
  const topics = topicNames(deps.config.topicPrefix);
  const file = join(deps.dataDir, 'kafka.sqlite');
  const retry = { initialMs: deps.tuning?.retryInitialMs ?? 200, maxMs: deps.tuning?.retryMaxMs ?? 10_000 };
  const checkpoints: CheckpointStore | undefined = !deps.relay
    ? undefined
    : deps.checkpoints
      ? await openPostgresCheckpointStore({ ...deps.checkpoints, name: 'relay' })
      : openSqliteCheckpointStore({ file, name: 'relay' });
  const processed = deps.inbound
    ? await openProcessedMessages(deps.processed ?? { kind: 'sqlite', file }).catch(async (error: unknown) => {
        await checkpoints?.close();
        throw error;
      })
    : undefined;
  // Housekeeping only: ids it cannot forget now are forgotten at the next start.
  await processed?.prune(new Date(Date.now() - PROCESSED_RETENTION_MS).toISOString()).catch((error: unknown) => {
    logger.warn('kafka: old processed message ids could not be pruned', { error: String(error) });
  });

  const fritekst = new Fritekst(deps.vault);
  const supervised = (store: CheckpointStore): SupervisedRelay =>
    superviseRelay(
      () =>
        startRelay({
          store: deps.store,
          publisher,
          checkpoints: store,
          topics,
          source: deps.config.source,
          laesCpr: (borgerId) => deps.vault.laesCpr(borgerId),
          afsloer: (value) => fritekst.afsloer(value),
          retry,
          logger,
          ...(deps.audit ? { afterAcknowledged: (records) => (deps.audit as KafkaAudit).delivered(records) } : {}),
        }),
      { retry, logger },
    );
  let relay: SupervisedRelay | undefined;
  let lease: SingleActive | undefined;
  if (checkpoints && deps.lease) {
    lease = new SingleActive({
      leases: deps.lease.store,
      name: 'relay',
      holder: deps.lease.holder,
      ttlMs: deps.lease.ttlMs,
      logger,
      worker: () => ({
        start: async () => {
          relay = supervised(checkpoints);
        },
        stop: async () => {
          const running = relay;
          relay = undefined;
          await running?.stop();
        },
      }),
    });
    await lease.start();
  } else if (checkpoints) relay = supervised(checkpoints);
  const inbound = processed
    ? await startInboundConsumer({
        source: createKafkaInboundSource(kafka, clientConfig, {
          groupId: deps.config.groupId,
          ...(deps.tuning?.topicRefreshMs ? { topicRefreshMs: deps.tuning.topicRefreshMs } : {}),
        }),
        publisher,
        processed,
        topics,
        handler: kafkaCommandHandler(deps),
        retry,
        logger,
      })
    : undefined;

  return {
    get relay() {
      return relay;
    },
    relayLease: () => lease?.status(),
    inbound,
    async stop() {
      await inbound?.stop();
      if (lease) await lease.stop();
      else await relay?.stop();
      await publisher.close();
      await checkpoints?.close();
      await processed?.close();
    },
  };
}
