import { CE, PermanentMessageError, TransientMessageError, type OutboundRecord } from '@hub/relay';
import type { Principal } from '../auth/token-verifier';
import type { HubCommand } from '../commands/command-service';
import type { AuthConfig } from '../config';
import { HttpProblem } from '../http/problem';
import { collect, touched, type AuditRecorder } from './audit.recorder';
import { resolvePurpose } from './purpose';

/** The Kafka header that states a command's purpose (the token's `purpose` claim has no Kafka counterpart). */
export const PURPOSE_HEADER = 'ffb_purpose';
/** What a delivery to a party's topic is for. */
export const LEVERING = 'levering';

const unavailable = (error: unknown): unknown =>
  error instanceof HttpProblem && error.status === 503
    ? new TransientMessageError('AUDIT.UTILGAENGELIG', 'the audit log cannot record this use of borger data', null)
    : error;

/**
 * The audit log's Kafka side (issue 7): a message about a borger delivered to a party's topic is a `laes` by that
 * party with purpose `levering`, recorded after the broker's acknowledgement and before the relay's checkpoint (a crash
 * in between sends and records it again); an inbound command is a `skriv` with the purpose from its `ffb_purpose`
 * header, refused (dead-lettered) without one in production before anything is read or written.
 */
export class KafkaAudit {
  constructor(
    private readonly recorder: AuditRecorder,
    private readonly authMode: AuthConfig['mode'],
  ) {}

  /** The purpose of an inbound command; a PermanentMessageError (dead letter) when missing in production or malformed. */
  purpose(headers: Readonly<Record<string, string | undefined>>): string {
    try {
      return resolvePurpose(this.authMode, undefined, headers[PURPOSE_HEADER], PURPOSE_HEADER);
    } catch (error) {
      const problem = error as HttpProblem;
      throw new PermanentMessageError(problem.code, problem.message);
    }
  }

  /** Records an inbound command that reached the store; a TransientMessageError (retry) when the log is down. */
  async command(
    actor: Principal,
    topic: string,
    command: HubCommand,
    purpose: string,
    correlationId: string,
  ): Promise<void> {
    const what = touched();
    const data = command.data as { bestillingId?: string; delmaalId?: string };
    if (data.delmaalId && command.type !== 'OpretDelmaal') what.delmaal.add(data.delmaalId);
    else if (data.bestillingId) what.bestillinger.add(data.bestillingId);
    await this.recorder
      .record({ caller: actor, action: 'skriv', channel: { kind: 'kafka', topic }, purpose, correlationId }, what)
      .catch((error: unknown) => Promise.reject(unavailable(error)));
  }

  /** Records the deliveries of one acknowledged send: each message is a `laes` of its borger by its recipient. */
  async delivered(records: readonly OutboundRecord[]): Promise<void> {
    const items = [];
    for (const record of records) {
      const recipient = record.headers[CE.recipient] ?? '';
      const i = recipient.indexOf(':');
      const party = recipient.slice(0, i);
      if (party !== 'myndighed' && party !== 'udfoerer') continue;
      const id = recipient.slice(i + 1);
      const what = touched();
      collect(JSON.parse(record.value.toString()) as unknown, what);
      // The key is the bestilling: a message that names no borger is about the bestilling's.
      if (what.borgere.size === 0) what.bestillinger.add(record.key);
      const caller: Principal = {
        party,
        subject: recipient,
        ...(party === 'myndighed' ? { kommunekode: id } : { tilbudId: id }),
      };
      items.push({
        use: {
          caller,
          action: 'laes' as const,
          channel: { kind: 'kafka' as const, topic: record.topic },
          purpose: LEVERING,
          correlationId: record.headers[CE.id] ?? record.key,
        },
        what,
      });
    }
    await this.recorder.recordAll(items);
  }
}
