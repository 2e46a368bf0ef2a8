import { connect } from 'node:net';
import type { KafkaClientConfig } from '../kafkajs/kafka-client';
import type { TcpProxy } from './tcp-proxy';

/**
 * The client settings for librdkafka's mock cluster (docs/adr/0006): production's, except the two the mock cannot
 * serve (idempotent producer, topic creation by infra), and short timeouts so tests are fast.
 */
export function mockClusterConfig(
  brokers: readonly string[],
  overrides: Partial<KafkaClientConfig> = {},
): KafkaClientConfig {
  return {
    brokers,
    clientId: 'hub-test',
    idempotentProducer: false,
    autoCreateTopics: true,
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 5000,
    retries: 1,
    maxWaitTimeMs: 100,
    sessionTimeoutMs: 3000,
    heartbeatIntervalMs: 500,
    ...overrides,
  };
}

/** Routes every broker connection through the proxy, whatever address the broker's metadata names. */
export const throughProxy =
  (proxy: TcpProxy): NonNullable<KafkaClientConfig['socketFactory']> =>
  ({ onConnect }) =>
    connect({ host: '127.0.0.1', port: proxy.port }, onConnect);

export async function eventually<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} not reached within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
