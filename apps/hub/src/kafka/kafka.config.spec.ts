import { parseKafkaConfig } from './kafka.config';

describe('parseKafkaConfig', () => {
  it('is off without KAFKA_BROKERS', () => {
    expect(parseKafkaConfig({})).toEqual({ problems: [] });
    expect(parseKafkaConfig({ KAFKA_BROKERS: ' , ' })).toEqual({ problems: [] });
  });

  it("keeps production's defaults: idempotent producer, no topic auto-creation", () => {
    const { kafka, problems } = parseKafkaConfig({ KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092' });
    expect(problems).toEqual([]);
    expect(kafka).toEqual({
      client: {
        brokers: ['kafka-1:9092', 'kafka-2:9092'],
        clientId: 'ffb-hub',
        idempotentProducer: true,
        autoCreateTopics: false,
      },
      topicPrefix: '',
      groupId: 'ffb-hub.kommandoer',
      source: 'urn:ffb-hub:ffb-hub',
    });
  });

  it('takes the test-broker switches, a prefix, TLS and SASL explicitly', () => {
    const { kafka } = parseKafkaConfig({
      KAFKA_BROKERS: '127.0.0.1:40000',
      KAFKA_CLIENT_ID: 'hub-test',
      KAFKA_TOPIC_PREFIX: 'test.',
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'hub',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    expect(kafka).toMatchObject({
      client: {
        clientId: 'hub-test',
        idempotentProducer: false,
        autoCreateTopics: true,
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'hub', password: 'secret' },
      },
      topicPrefix: 'test.',
      groupId: 'hub-test.kommandoer',
    });
  });

  it('lists every problem', () => {
    const { kafka, problems } = parseKafkaConfig({
      KAFKA_BROKERS: 'kafka-1',
      KAFKA_TOPIC_PREFIX: 'test',
      KAFKA_IDEMPOTENT_PRODUCER: 'nej',
      KAFKA_SASL_MECHANISM: 'gssapi',
    });
    expect(kafka).toBeUndefined();
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(
      /KAFKA_BROKERS.*KAFKA_TOPIC_PREFIX.*KAFKA_SASL_MECHANISM.*KAFKA_IDEMPOTENT_PRODUCER/s,
    );
  });
});
