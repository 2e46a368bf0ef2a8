import { asyncApiDocument, topicNames, type CommandMessageDoc, type JsonSchema } from '@hub/relay';
import { KAFKA_COMMANDS, senderOf } from './kafka-commands';
import type { KafkaConfig } from './kafka.config';

interface OpenApiLike {
  readonly components?: { readonly schemas?: Readonly<Record<string, unknown>> };
}

/**
 * The AsyncAPI document served at /asyncapi.json. Command payloads are the HTTP DTOs' schemas from the OpenAPI
 * document (one definition of each body), plus the ids the HTTP path carries.
 */
export function kafkaAsyncApi(openApi: OpenApiLike, kafka?: KafkaConfig): Record<string, unknown> {
  const available = openApi.components?.schemas ?? {};
  const used: Record<string, JsonSchema> = {};
  const include = (name: string): JsonSchema => {
    const schema = available[name] as JsonSchema | undefined;
    if (!schema) throw new Error(`OpenAPI document has no schema ${name}; every Kafka command DTO is an HTTP body too`);
    if (!used[name]) {
      used[name] = schema;
      for (const ref of JSON.stringify(schema).matchAll(/"#\/components\/schemas\/([^"]+)"/g))
        include(ref[1] as string);
    }
    return schema;
  };
  const commands: CommandMessageDoc[] = KAFKA_COMMANDS.map((command) => {
    const dto = include(command.dto.name) as { properties?: Record<string, unknown>; required?: string[] };
    const ids = Object.fromEntries(
      command.path.map((id) => [id, { type: 'string', format: 'uuid', description: `${id} (in the path over HTTP)` }]),
    );
    return {
      type: command.type,
      name: command.command,
      sender: senderOf(command),
      summary: `As ${command.http}, with the path's ids in the body.`,
      payload: {
        type: 'object',
        properties: { ...ids, ...dto.properties },
        required: [...command.path, ...(dto.required ?? [])],
        additionalProperties: false,
      },
    };
  });
  return asyncApiDocument({
    topics: topicNames(kafka?.topicPrefix ?? ''),
    commands,
    schemas: used,
    ...(kafka ? { brokers: kafka.client.brokers } : {}),
  });
}
