import type { KafkaClientConfig } from '@hub/relay';

/** The Kafka part of the hub's configuration; undefined when KAFKA_BROKERS is unset (relay and consumer off). */
export interface KafkaConfig {
  readonly client: Omit<KafkaClientConfig, 'logger' | 'socketFactory'>;
  /** Environment prefix of every topic name (`''`, or e.g. `test.`). */
  readonly topicPrefix: string;
  /** Consumer group of the inbound command consumers (every hub instance with the api role joins it). */
  readonly groupId: string;
  /** CloudEvents `source` of what the relay publishes. */
  readonly source: string;
}

const SASL = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: string[]): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  problems.push(`${name} must be true or false, got "${value}"`);
  return fallback;
}

/**
 * Reads the Kafka settings (design.md §5). KAFKA_BROKERS (comma-separated host:port) switches Kafka on; the rest has
 * production defaults. KAFKA_IDEMPOTENT_PRODUCER=false and KAFKA_AUTO_CREATE_TOPICS=true exist for brokers that
 * cannot do better, such as librdkafka's mock cluster in tests (docs/adr/0006); never set them against a real cluster.
 */
export function parseKafkaConfig(env: NodeJS.ProcessEnv): {
  readonly kafka?: KafkaConfig;
  readonly problems: string[];
} {
  const problems: string[] = [];
  const brokers = (env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0) return { problems };
  for (const broker of brokers) {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(broker)) problems.push(`KAFKA_BROKERS: "${broker}" is not host:port`);
  }
  const clientId = env['KAFKA_CLIENT_ID'] ?? 'ffb-hub';
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(clientId)) problems.push('KAFKA_CLIENT_ID: 1–100 letters, digits, ".", "_", "-"');
  const topicPrefix = env['KAFKA_TOPIC_PREFIX'] ?? '';
  if (!/^(?:[A-Za-z0-9-]+\.)*$/.test(topicPrefix)) {
    problems.push(`KAFKA_TOPIC_PREFIX: dot-separated parts ending in ".", e.g. "test.", got "${topicPrefix}"`);
  }
  const groupId = env['KAFKA_GROUP_ID'] ?? `${clientId}.kommandoer`;
  const source = env['KAFKA_SOURCE'] ?? `urn:ffb-hub:${clientId}`;
  const mechanism = env['KAFKA_SASL_MECHANISM'];
  let sasl: KafkaClientConfig['sasl'];
  if (mechanism !== undefined) {
    const username = env['KAFKA_SASL_USERNAME'];
    const password = env['KAFKA_SASL_PASSWORD'];
    if (!(SASL as readonly string[]).includes(mechanism)) {
      problems.push(`KAFKA_SASL_MECHANISM must be one of ${SASL.join(', ')}`);
    } else if (!username || !password) {
      problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
    } else sasl = { mechanism: mechanism as (typeof SASL)[number], username, password };
  }
  const client: KafkaConfig['client'] = {
    brokers,
    clientId,
    idempotentProducer: flag(env, 'KAFKA_IDEMPOTENT_PRODUCER', true, problems),
    autoCreateTopics: flag(env, 'KAFKA_AUTO_CREATE_TOPICS', false, problems),
    ...(flag(env, 'KAFKA_SSL', false, problems) ? { ssl: true } : {}),
    ...(sasl ? { sasl } : {}),
  };
  return problems.length > 0 ? { problems } : { kafka: { client, topicPrefix, groupId, source }, problems };
}
