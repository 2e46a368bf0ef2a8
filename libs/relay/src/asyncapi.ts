import { CE, JSON_CONTENT_TYPE, SPEC_VERSION, schemaUri } from './cloudevents';
import { DLQ } from './inbound/inbound-consumer';
import { OUTBOUND_MESSAGES, type OutboundMessageDefinition } from './integration-events/catalog';
import { PAYLOAD_SCHEMAS, SHARED_SCHEMAS, type JsonSchema } from './integration-events/schemas.v1';
import { TOPIC_VERSION, type Part, type TopicNames } from './topics';

/** A command the hub accepts over Kafka, with the JSON Schema of its body (the HTTP DTO plus the path's ids). */
export interface CommandMessageDoc {
  readonly type: string;
  /** Component name, e.g. `AfgivBestilling`. */
  readonly name: string;
  readonly sender: Part;
  readonly summary: string;
  readonly payload: JsonSchema;
}

export interface AsyncApiOptions {
  readonly topics: TopicNames;
  readonly commands: readonly CommandMessageDoc[];
  /** Schemas the command payloads reference (`#/components/schemas/<name>`). */
  readonly schemas?: Readonly<Record<string, JsonSchema>>;
  /** Bootstrap brokers, when configured. */
  readonly brokers?: readonly string[];
}

const ID_ENCODING =
  'Encoded as one topic segment: letters, digits and "-" as they are, every other byte (also "." and "_") as _xx (hex).';

const PARAMETERS: Record<Part, { readonly name: string; readonly description: string }> = {
  myndighed: { name: 'kommunekode', description: `The kommune's 4-digit kommunekode. ${ID_ENCODING}` },
  udfoerer: { name: 'tilbudId', description: `The tilbud's id. ${ID_ENCODING}` },
};

const header = (description: string, extra: Record<string, unknown> = {}): JsonSchema => ({
  type: 'string',
  description,
  ...extra,
});

function outboundHeaders(message: OutboundMessageDefinition): JsonSchema {
  return {
    type: 'object',
    description: 'CloudEvents 1.0 attributes in binary mode (Kafka protocol binding), plus the ffb extensions.',
    required: Object.values(CE),
    properties: {
      [CE.specversion]: header('CloudEvents version', { const: SPEC_VERSION }),
      [CE.id]: header("The stored event's id; dedupe on it (delivery is at-least-once)", { format: 'uuid' }),
      [CE.type]: header('The message type and version', { const: message.type }),
      [CE.source]: header('The hub instance that published it', { format: 'uri-reference' }),
      [CE.subject]: header('The bestilling (indsats) id; equals the Kafka key', { format: 'uuid' }),
      [CE.time]: header("When it happened (the event's occurredAt)", { format: 'date-time' }),
      [CE.dataschema]: header('The payload schema', { const: schemaUri(message.type) }),
      [CE.contentType]: header('Payload encoding', { const: JSON_CONTENT_TYPE }),
      [CE.sender]: header('Who caused it: myndighed:<kommunekode>, udfoerer:<tilbudId> or hub'),
      [CE.recipient]: header(
        `The recipient, the party of the topic: ${message.recipients.map((part) => `${part}:<${PARAMETERS[part].name}>`).join(' or ')}`,
      ),
      [CE.sensitivity]: header('Sikkerhedsklassificering: fortrolig, or fortrolig-cpr when the payload holds a CPR', {
        enum: message.sensitivity,
      }),
      [CE.correlationId]: header('Correlation id of the request that caused it'),
      [CE.causationId]: header('Id of the command or message that caused it'),
    },
  };
}

function commandHeaders(command: CommandMessageDoc): JsonSchema {
  return {
    type: 'object',
    required: [CE.specversion, CE.id, CE.type],
    properties: {
      [CE.specversion]: header('CloudEvents version', { const: SPEC_VERSION }),
      [CE.id]: header(
        'Your message id, unique per sender: a redelivery with the same id is applied once, so a corrected ' +
          'command needs a new id. Ids the body leaves out are UUID v5 of "<topic>\\n<ce_id>\\n<purpose>".',
        { maxLength: 200 },
      ),
      [CE.type]: header('The command', { const: command.type }),
      [CE.source]: header('Your system; recorded as the actor subject', { maxLength: 100 }),
      [CE.time]: header('When you sent it', { format: 'date-time' }),
      [CE.subject]: header('The bestilling id, if you like; the Kafka key should be it, to keep your order'),
      [CE.correlationId]: header('Your correlation id; carried to the events it causes', {
        pattern: '^[A-Za-z0-9._:-]{1,100}$',
      }),
      [CE.contentType]: header('Payload encoding', { const: JSON_CONTENT_TYPE }),
      ffb_purpose: header(
        "Why the command uses the borger's data (1-200 characters, no control characters); recorded in the audit log. " +
          'Required in production (dead letter AUTH.FORMAAL_MANGLER without it)',
        { maxLength: 200 },
      ),
    },
  };
}

const deadLetterHeaders: JsonSchema = {
  type: 'object',
  description: 'The original headers (ce_* included) plus why the hub refused the command.',
  required: [DLQ.code, DLQ.reason, DLQ.errors, DLQ.topic, DLQ.partition, DLQ.offset, DLQ.attempts, DLQ.time],
  properties: {
    [DLQ.code]: header('Stable code: FELT.*, R-xx, BESTILLING.*, ADGANG.*, KAFKA.* (README error table)'),
    [DLQ.reason]: header('What was wrong, for a person'),
    [DLQ.errors]: header('JSON array of {field, code, message}: every field or rule that failed'),
    [DLQ.topic]: header('The command topic it came from'),
    [DLQ.partition]: header('Its partition'),
    [DLQ.offset]: header('Its offset'),
    [DLQ.attempts]: header('How often the hub tried'),
    [DLQ.time]: header('When it was refused', { format: 'date-time' }),
  },
};

const key = (description: string) => ({ kafka: { key: { type: 'string', description }, bindingVersion: '0.5.0' } });

/** The AsyncAPI 3.0 document of every topic the hub writes or reads, with the JSON Schema of every message. */
export function asyncApiDocument(options: AsyncApiOptions): Record<string, unknown> {
  const { topics } = options;
  const parts: readonly Part[] = ['udfoerer', 'myndighed'];
  const address = (kind: 'outbound' | 'commands' | 'deadLetter', part: Part): string => {
    const placeholder = `{${PARAMETERS[part].name}}`;
    const base = { outbound: `ffb.${part}`, commands: `ffb.kommando.${part}`, deadLetter: `ffb.dlq.${part}` }[kind];
    return `${topics.prefix}${base}.${placeholder}.${TOPIC_VERSION}`;
  };
  const parameters = (part: Part) => ({
    [PARAMETERS[part].name]: { description: PARAMETERS[part].description },
  });
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  for (const message of OUTBOUND_MESSAGES) {
    messages[message.schema] = {
      name: message.type,
      title: message.title,
      summary: message.summary,
      contentType: JSON_CONTENT_TYPE,
      headers: outboundHeaders(message),
      payload: { $ref: `#/components/schemas/${message.schema}` },
      bindings: key('The bestilling id: one indsats, one partition, its order kept'),
    };
  }
  for (const command of options.commands) {
    messages[command.name] = {
      name: command.type,
      title: command.name,
      summary: command.summary,
      contentType: JSON_CONTENT_TYPE,
      headers: commandHeaders(command),
      payload: command.payload,
      bindings: key(
        'The bestilling id, for every command (delmål commands too): all commands of one indsats on one partition, so a ' +
          'tilbagemelding cannot overtake the observation it references',
      ),
    };
  }
  messages['AfvistKommando'] = {
    name: 'dead-letter',
    title: 'Afvist kommando',
    summary: 'A command the hub refused, as it was sent, with the reason in headers.',
    headers: deadLetterHeaders,
    payload: { description: 'The command body exactly as sent' },
  };

  const refs = (names: readonly string[]) =>
    Object.fromEntries(names.map((name) => [name, { $ref: `#/components/messages/${name}` }]));

  for (const part of parts) {
    const outboundNames = OUTBOUND_MESSAGES.filter((m) => m.recipients.includes(part)).map((m) => m.schema);
    const commandNames = options.commands.filter((c) => c.sender === part).map((c) => c.name);
    const out = `til${capitalise(part)}`;
    const commands = `kommandoerFra${capitalise(part)}`;
    const dlq = `afvisteFra${capitalise(part)}`;
    channels[out] = {
      address: address('outbound', part),
      title: `Integration events for one ${part}`,
      description: `Only this ${part} may read it (prefix ACL on ${address('outbound', part).replace(/\{.*$/, '')}<id>.).`,
      parameters: parameters(part),
      messages: refs(outboundNames),
    };
    channels[commands] = {
      address: address('commands', part),
      title: `Commands from one ${part}`,
      description: `Only this ${part} may write it; the hub checks that each command is one a ${part} sends.`,
      parameters: parameters(part),
      messages: refs(commandNames),
    };
    channels[dlq] = {
      address: address('deadLetter', part),
      title: `Refused commands of one ${part}`,
      parameters: parameters(part),
      messages: refs(['AfvistKommando']),
    };
    operations[`send${capitalise(out)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${out}` },
      messages: outboundNames.map((name) => ({ $ref: `#/channels/${out}/messages/${name}` })),
    };
    operations[`receive${capitalise(commands)}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${commands}` },
      messages: commandNames.map((name) => ({ $ref: `#/channels/${commands}/messages/${name}` })),
    };
    operations[`send${capitalise(dlq)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${dlq}` },
      messages: [{ $ref: `#/channels/${dlq}/messages/AfvistKommando` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Samspil Hub: Kafka',
      version: TOPIC_VERSION,
      description:
        'Integration events out to each connected fagsystem, commands in from them. CloudEvents 1.0 in binary mode; ' +
        'key = the bestilling id; at-least-once, so dedupe on ce_id; order per bestilling kept. Each party reads and ' +
        'writes only its own topics (prefix ACLs).',
    },
    defaultContentType: JSON_CONTENT_TYPE,
    ...(options.brokers && options.brokers.length > 0
      ? { servers: { kafka: { host: options.brokers.join(','), protocol: 'kafka' } } }
      : {}),
    channels,
    operations,
    components: {
      messages,
      schemas: { ...SHARED_SCHEMAS, ...PAYLOAD_SCHEMAS, ...options.schemas },
    },
  };
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
