import type { Socket } from 'node:net';
import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import { silentLogger, type Logger } from '../backoff';

/**
 * How the hub talks to Kafka. The defaults are production's; the librdkafka mock cluster that tests run against needs
 * two settings changed, and those are explicit here rather than hidden in test code (docs/adr/0006).
 */
export interface KafkaClientConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /**
   * Production: true. The broker then drops a retried batch it already wrote and keeps the order across retries.
   * The mock cluster reports controller id 0, which no broker has, so kafkajs's idempotent producer cannot connect
   * to it: tests set false (duplicates on retry are then possible, which consumers dedupe on ce_id anyway).
   */
  readonly idempotentProducer: boolean;
  /**
   * Production: false. Topics are created by infra with their partitions, retention and prefix ACLs; a missing
   * topic holds the relay back (visible as lag) instead of being created with broker defaults. The mock cluster has
   * no CreateTopics, so tests let metadata requests create topics.
   */
  readonly autoCreateTopics: boolean;
  readonly ssl?: boolean;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
  /** Default 3000. */
  readonly connectionTimeoutMs?: number;
  /** Default 30000. */
  readonly requestTimeoutMs?: number;
  /** kafkajs's own retries of one request before an error reaches the relay's or consumer's back-off. Default 5. */
  readonly retries?: number;
  /** Consumer: how long a fetch waits for messages; it also bounds how long stop() takes. Default 1000. */
  readonly maxWaitTimeMs?: number;
  /** Consumer group session timeout. Default 30000. */
  readonly sessionTimeoutMs?: number;
  /** Default 3000. */
  readonly heartbeatIntervalMs?: number;
  /** Test only: opens every broker connection, e.g. through a proxy that simulates an outage. */
  readonly socketFactory?: (target: { host: string; port: number; onConnect: () => void }) => Socket;
  readonly logger?: Logger;
}

export function createKafka(config: KafkaClientConfig): Kafka {
  const logger = config.logger ?? silentLogger;
  const { socketFactory } = config;
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    ...(config.ssl ? { ssl: true } : {}),
    ...(config.sasl ? { sasl: saslOptions(config.sasl) } : {}),
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
    retry: { retries: config.retries ?? 5, initialRetryTime: 300, maxRetryTime: 5000 },
    ...(socketFactory
      ? { socketFactory: ({ host, port, onConnect }) => socketFactory({ host, port, onConnect }) }
      : {}),
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      // kafkajs's lines name brokers, topics and errors, never message contents; the stacks are left out as noise.
      const { message, broker, error, groupId, topic } = entry.log as Record<string, unknown>;
      const fields = { namespace: entry.namespace, broker, error, groupId, topic };
      const line = `kafka: ${String(message)}`;
      if (entry.level === logLevel.ERROR) logger.error(line, fields);
      else if (entry.level === logLevel.WARN) logger.warn(line, fields);
    },
  });
}

function saslOptions(sasl: NonNullable<KafkaClientConfig['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}
