/** A record as the inbound consumer sees it; headers decoded as UTF-8 (CloudEvents attributes are strings). */
export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface InboundDelivery {
  /** Keeps the consumer's group membership alive while one message takes long (retries with back-off). */
  heartbeat(): Promise<void>;
}

/**
 * The narrow port to a Kafka consumer group. Messages of one partition reach the handler one at a time, in order;
 * a message counts as consumed when the handler resolves. A rejected handler leaves it unconsumed, and it is
 * delivered again (after a restart, possibly to another instance of the group).
 */
export interface InboundSource {
  /** Consumes every topic matching the pattern, also those created later; resolves once started. */
  start(pattern: RegExp, handler: (message: InboundMessage, delivery: InboundDelivery) => Promise<void>): Promise<void>;
  /** Stops fetching and leaves the group; resolves once the message in flight is handled. */
  stop(): Promise<void>;
}
