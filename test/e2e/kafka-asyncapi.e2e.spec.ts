import { randomUUID } from 'node:crypto';
import { OUTBOUND_MESSAGES } from '@hub/relay';
import { validateJson, type Schema } from '@hub/relay/testing/json-schema';
import { KAFKA_COMMANDS } from '../../apps/hub/src/kafka/kafka-commands';
import { kafkaAsyncApi } from '../../apps/hub/src/kafka/kafka.asyncapi';
import { parseKafkaConfig } from '../../apps/hub/src/kafka/kafka.config';
import { startHub, type RunningHub } from './support/hub';
import { bestilling, delmaal } from './support/requests';

interface Doc {
  asyncapi: string;
  servers?: Record<string, { host: string; protocol: string }>;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: {
    messages: Record<string, { name: string; payload: Schema; headers: Schema }>;
    schemas: Record<string, Schema>;
  };
}

/** Follows a local JSON pointer (`#/a/b`) in the document. */
const resolve = (doc: unknown, ref: string): unknown =>
  ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);

describe('the AsyncAPI document (/asyncapi.json)', () => {
  let hub: RunningHub;
  let doc: Doc;

  beforeAll(async () => {
    hub = await startHub();
    const openApi = (await hub.call('GET', '/openapi.json')).json;
    const { kafka } = parseKafkaConfig({ KAFKA_BROKERS: 'kafka-1:9092', KAFKA_TOPIC_PREFIX: 'prod.' });
    doc = kafkaAsyncApi(openApi, kafka) as unknown as Doc;
  });
  afterAll(() => hub.stop());

  it('is AsyncAPI 3.0 with a channel per party and direction, and the configured topic prefix and brokers', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.servers).toEqual({ kafka: { host: 'kafka-1:9092', protocol: 'kafka' } });
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual([
      'prod.ffb.dlq.myndighed.{kommunekode}.v1',
      'prod.ffb.dlq.udfoerer.{tilbudId}.v1',
      'prod.ffb.kommando.myndighed.{kommunekode}.v1',
      'prod.ffb.kommando.udfoerer.{tilbudId}.v1',
      'prod.ffb.myndighed.{kommunekode}.v1',
      'prod.ffb.udfoerer.{tilbudId}.v1',
    ]);
  });

  it('documents every message the relay publishes and every command the consumer accepts, each once', () => {
    const names = Object.values(doc.components.messages).map((m) => m.name);
    for (const type of [...OUTBOUND_MESSAGES.map((m) => m.type), ...KAFKA_COMMANDS.map((c) => c.type)]) {
      expect([type, names.filter((n) => n === type).length]).toEqual([type, 1]);
    }
    const sent = Object.values(doc.operations)
      .filter((o) => o.action === 'send')
      .flatMap((o) => o.messages);
    const received = Object.values(doc.operations)
      .filter((o) => o.action === 'receive')
      .flatMap((o) => o.messages);
    expect(received).toHaveLength(KAFKA_COMMANDS.length);
    // A message for both parties (a tilbagemeldingskrav) is listed on both channels; +2: the dead-letter topics.
    expect(sent).toHaveLength(OUTBOUND_MESSAGES.flatMap((m) => m.recipients).length + 2);
  });

  it('resolves every $ref inside the document', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(50);
    expect(refs.filter((ref) => resolve(doc, ref) === undefined)).toEqual([]);
  });

  it('gives each command the HTTP body schema plus the path ids, which real bodies satisfy', () => {
    const payload = (type: string) =>
      Object.values(doc.components.messages).find((m) => m.name === type)?.payload as Schema;
    const afgiv = payload('dk.ffb.kommando.afgivbestilling.v1') as { properties: Record<string, unknown> };
    expect(Object.keys(afgiv.properties)).toEqual(expect.arrayContaining(['cpr', 'kommunekode', 'indsatsmaal']));
    const opret = payload('dk.ffb.kommando.opretdelmaal.v1') as { required: string[] };
    expect(opret.required).toEqual(expect.arrayContaining(['bestillingId', 'indsatsmaalId', 'navn']));
    // Swagger's OpenAPI keywords beyond the validator's set are only documentation; check the ones it knows.
    const known = (schema: unknown): unknown =>
      JSON.parse(
        JSON.stringify(schema, (key, value: unknown) =>
          ['maxLength', 'minLength', 'default', 'deprecated', 'readOnly'].includes(key) ? undefined : value,
        ),
      );
    const schemas = known(doc.components.schemas) as Record<string, Schema>;
    const body = { ...delmaal(randomUUID()), bestillingId: randomUUID() };
    expect(validateJson(body, known(opret) as Schema, schemas)).toEqual([]);
    expect(validateJson(bestilling(), known(afgiv) as Schema, schemas)).toEqual([]);
    expect(validateJson({ ...body, navn: 7 }, known(opret) as Schema, schemas)).not.toEqual([]);
  });
});
