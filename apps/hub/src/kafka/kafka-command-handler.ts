import { SletningIGangError } from '@hub/privacy';
import { DomainError, erUuid, toBestillingStreamId, toDelmaalStreamId } from '@hub/domain';
import {
  EventStoreError,
  StoreUnavailableError,
  uuidV5,
  WrongExpectedRevisionError,
  type EventStore,
} from '@hub/event-store';
import type { PiiVault } from '@hub/privacy';
import {
  CE,
  isUnavailable,
  PermanentMessageError,
  TransientMessageError,
  type CommandMessageHandler,
} from '@hub/relay';
import type { KafkaAudit } from '../audit/kafka.audit';
import { AccessDeniedError, assertParty, type Actor } from '../commands/access';
import { handleWithBeforeAppend } from '../commands/before-append';
import type { IdFor } from '../commands/command-builders';
import type { CommandService, HubCommand } from '../commands/command-service';
import { HttpProblem } from '../http/problem';
import { validateBody } from '../http/validation';
import { KAFKA_COMMANDS_BY_TYPE, type PathId } from './kafka-commands';
import { observed, type CommandObserver, type Udfald } from '../ops/telemetry';

/**
 * Ids a Kafka command leaves out are UUID v5 in this namespace of `<topic>\n<ce_id>\n<purpose>` (purpose as over
 * HTTP, e.g. `bestillingId`, `indsatsmaalId[0]`): a redelivered or retried message names the same resources, and a
 * sender can compute the id of what it created.
 */
export const KAFKA_ID_NAMESPACE = '6f1d3c52-9a7e-4b8e-8d0c-3e5b2f4a9c71';

const SUBJECT = /^[\x21-\x7e]{1,100}$/;
const CORRELATION = /^[A-Za-z0-9._:-]{1,100}$/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json(?:\s*;.*)?$/i;
/** Attempts for a concurrent write before the message is dead-lettered; each re-reads the stream. */
const CONFLICT_ATTEMPTS = 5;

export interface KafkaCommandDeps {
  readonly commands: CommandService;
  readonly vault: PiiVault;
  readonly store: EventStore;
  /** Command latency and outcome, and the sender last seen, for /metrics. */
  readonly observer?: CommandObserver;
  /** Records each command in the audit log, with the purpose from its `ffb_purpose` header. */
  readonly audit?: KafkaAudit;
}

/**
 * A command from a fagsystem over Kafka, handled exactly as over HTTP: the sender's party comes from the topic (which
 * only that party may write), the body is validated with the HTTP DTO, the command is built by the same builder and
 * handled by the same CommandService, afgiv bestilling through the same PII-vault flow. Errors are classified for the
 * consumer: refusals are permanent (dead letter), outages and concurrent writes transient (retry).
 */
export function kafkaCommandHandler(deps: KafkaCommandDeps): CommandMessageHandler {
  return async ({ message, id, type, sender, maybeApplied }) => {
    deps.observer?.seen(sender.party, sender.id, 'kafka');
    const definition = KAFKA_COMMANDS_BY_TYPE.get(type);
    if (!definition) {
      throw new PermanentMessageError(
        'KAFKA.UKENDT_TYPE',
        'ce_type names no command the hub accepts (see /asyncapi.json)',
      );
    }
    const source = message.headers[CE.source];
    const actor: Actor = {
      party: sender.party,
      subject: source && SUBJECT.test(source) ? source : 'kafka',
      ...(sender.party === 'myndighed' ? { kommunekode: sender.id } : { tilbudId: sender.id }),
    };
    const correlation = message.headers[CE.correlationId];
    const outcome = (error: unknown): Udfald => (classify(error) instanceof PermanentMessageError ? 'afvist' : 'fejl');
    await observed(deps.observer, definition.command, 'kafka', outcome, async () => {
      try {
        // Before anything else, and before the vault is touched: a party may send only its own commands, and (in
        // production) only with a purpose.
        assertParty(actor, definition.command);
        const purpose = deps.audit?.purpose(message.headers);
        const contentType = message.headers[CE.contentType];
        if (contentType !== undefined && !JSON_TYPE.test(contentType)) {
          throw new PermanentMessageError('KAFKA.UGYLDIG_CONTENT_TYPE', 'content-type must be application/json');
        }
        const body = parseBody(message.value);
        const ids = takePathIds(body, definition.path);
        const dto = await validateBody(definition.dto, body);
        const idFor: IdFor = (given, purpose) =>
          given ?? uuidV5(`${message.topic}\n${id}\n${purpose}`, KAFKA_ID_NAMESPACE);
        const { command, beforeAppend } = await definition.build(ids, dto, idFor, deps.vault);
        const correlationId = correlation && CORRELATION.test(correlation) ? correlation : id;
        // A redelivery of a command that reached the store is recorded again: the first attempt may have failed to.
        if (!(maybeApplied && (await alreadyApplied(deps.store, command, id, actor))))
          await handleWithBeforeAppend(deps.commands, command, { actor, correlationId, causationId: id }, beforeAppend);
        if (deps.audit && purpose !== undefined)
          await deps.audit.command(actor, message.topic, command, purpose, correlationId);
      } catch (error) {
        throw classify(error);
      }
    });
  };
}

function parseBody(value: Buffer | null): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    throw new PermanentMessageError('KAFKA.UGYLDIG_JSON', 'the message value is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PermanentMessageError('KAFKA.UGYLDIG_JSON', 'the message value must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** The ids an HTTP path carries, taken out of the body and checked as the path pipe checks them. */
function takePathIds(body: Record<string, unknown>, path: readonly PathId[]): Record<PathId, string> {
  const ids = {} as Record<PathId, string>;
  const errors = [];
  for (const name of path) {
    const raw = body[name];
    delete body[name];
    const value = typeof raw === 'string' ? raw.toLowerCase() : raw;
    if (erUuid(value)) ids[name] = value;
    else
      errors.push(
        raw === undefined
          ? { field: name, code: 'FELT.PAAKRAEVET', message: 'is required' }
          : { field: name, code: 'KAFKA.UGYLDIGT_ID', message: 'must be a UUID' },
      );
  }
  const [first] = errors;
  if (first) throw new PermanentMessageError(first.code, `${first.field} ${first.message}`, errors);
  return ids;
}

/**
 * Whether an earlier handling of this message reached the store: its events carry the message id as causationId and
 * the sender as actor. Read only when the consumer cannot rule it out (a crash or a failed attempt came between).
 */
async function alreadyApplied(
  store: EventStore,
  command: HubCommand,
  messageId: string,
  actor: Actor,
): Promise<boolean> {
  const streamId =
    command.type === 'OpretDelmaal' ||
    command.type === 'RegistrerDelmaalsobservation' ||
    command.type === 'EvaluerDelmaal' ||
    command.type === 'AfslutDelmaal'
      ? toDelmaalStreamId(command.data.delmaalId)
      : toBestillingStreamId(command.data.bestillingId);
  const events = await store.readStream(streamId);
  return events.some(
    (e) =>
      e.metadata.causationId === messageId &&
      e.metadata.actor.party === actor.party &&
      e.metadata.actor['kommunekode'] === actor.kommunekode &&
      e.metadata.actor['tilbudId'] === actor.tilbudId,
  );
}

/** What the consumer does with an error: the same split the HTTP edge makes between 4xx, 409 and 503. */
function classify(error: unknown): unknown {
  if (error instanceof PermanentMessageError || error instanceof TransientMessageError) return error;
  if (error instanceof HttpProblem) {
    return new PermanentMessageError(
      error.code,
      error.message,
      error.errors.map((e) => ({ field: e.field, code: e.code, message: e.message })),
    );
  }
  if (error instanceof DomainError) {
    return new PermanentMessageError(
      error.code,
      error.message,
      error.violations.map((v) => ({ field: v.field ?? '', code: v.code, message: v.message })),
    );
  }
  if (error instanceof AccessDeniedError) return new PermanentMessageError(error.code, error.message);
  if (error instanceof WrongExpectedRevisionError) {
    return new TransientMessageError(error.code, 'a concurrent write came first', CONFLICT_ATTEMPTS);
  }
  // Erased or not, the borger's state is settled within a minute: retried until then.
  if (error instanceof SletningIGangError) return new TransientMessageError(error.code, error.message, null);
  if (error instanceof StoreUnavailableError || isUnavailable(error)) {
    // The store or the PII vault cannot be used right now (SQLITE_BUSY, IOERR, FULL, …): retried without a limit,
    // so an outage never turns a valid command into a reject.
    const code = error instanceof StoreUnavailableError ? error.code : StoreUnavailableError.code;
    return new TransientMessageError(code, 'the event store or the PII vault is unavailable', null);
  }
  if (error instanceof EventStoreError) return new PermanentMessageError(error.code, error.message);
  return error;
}
