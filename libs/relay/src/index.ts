export { asyncApiDocument, type AsyncApiOptions, type CommandMessageDoc } from './asyncapi';
export { backoffDelay, isUnavailable, silentLogger, type BackoffOptions, type Logger } from './backoff';
export {
  CheckpointMovedError,
  openPostgresCheckpointStore,
  openSqliteCheckpointStore,
  type CheckpointStore,
} from './checkpoint.store';
export { CE, JSON_CONTENT_TYPE, SPEC_VERSION, cloudEventHeaders } from './cloudevents';
export {
  DEAD_LETTER_RING,
  DLQ,
  PermanentMessageError,
  TransientMessageError,
  startInboundConsumer,
  type CommandMessage,
  type CommandMessageHandler,
  type DeadLetterNote,
  type DeadLetterStats,
  type ErrorField,
  type InboundConsumer,
  type InboundConsumerOptions,
  type InboundStats,
} from './inbound/inbound-consumer';
export type { InboundDelivery, InboundMessage, InboundSource } from './inbound/inbound-source.port';
export {
  openProcessedMessages,
  openSqliteProcessedMessages,
  type BeginResult,
  type ProcessedMessages,
  type ProcessedMessagesLocation,
} from './inbound/processed-messages';
export {
  openPostgresProcessedMessages,
  type PostgresProcessedMessagesOptions,
} from './inbound/postgres.processed-messages';
export { OUTBOUND_MESSAGES, type OutboundMessageDefinition } from './integration-events/catalog';
export type { IntegrationMessage, Sensitivity } from './integration-events/integration-event';
export { storeMappingContext, toIntegrationMessages } from './integration-events/map-event';
export type { JsonSchema } from './integration-events/schemas.v1';
export { createKafka, type KafkaClientConfig } from './kafkajs/kafka-client';
export { createKafkaInboundSource, type KafkaInboundOptions } from './kafkajs/kafkajs.inbound-source';
export { createKafkaPublisher } from './kafkajs/kafkajs.publisher';
export type { OutboundRecord, Publisher } from './publisher.port';
export {
  brokerErrorType,
  CheckpointMismatchError,
  startRelay,
  UnmappableEventError,
  type Relay,
  type RelayBlock,
  type RelayOptions,
  type RelayStats,
} from './relay';
export { partyLabel, topicNames, topicSegment, type Part, type PartyRef, type TopicNames } from './topics';
export { superviseRelay, type RelayHealth, type RelayState, type SupervisedRelay } from './relay-supervisor';
