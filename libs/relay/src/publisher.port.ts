/**
 * The narrow port between the relay (and the dead-letter path) and a Kafka client. kafkajs is in maintenance mode;
 * a move to another client replaces one adapter behind this interface and the inbound source, nothing else.
 */
export interface OutboundRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Publisher {
  /**
   * Sends the records and resolves once the broker acknowledged every one (acks from all in-sync replicas in
   * production). Records with the same topic and key keep their order. Rejects when any record is not acknowledged;
   * some may have been written then, so a retry can duplicate (at-least-once).
   */
  send(records: readonly OutboundRecord[]): Promise<void>;
  close(): Promise<void>;
}
