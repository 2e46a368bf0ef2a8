import { EventEmitter } from 'node:events';
import { Client, type ClientConfig } from 'pg';

const MAX_BACKOFF_MS = 5000;

/**
 * One dedicated connection that LISTENs on the store's channel and wakes this store's subscriptions. It carries no
 * events: subscriptions always read the log. When the connection drops it reconnects with back-off and wakes every
 * subscription once (notifications sent meanwhile are lost); the subscriptions' poll covers the time in between.
 */
export class AppendListener {
  private readonly wakeups = new EventEmitter();
  private client: Client | undefined;
  private started = false;
  private stopped = false;
  private backoffMs = 100;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
  ) {
    this.wakeups.setMaxListeners(0);
  }

  /** Registers a wake-up; the first one opens the connection. Returns its removal. */
  onWake(listener: () => void): () => void {
    this.wakeups.on('wake', listener);
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
    return () => {
      this.wakeups.off('wake', listener);
    };
  }

  /** Wakes this store's subscriptions directly (an append made through this store). */
  wake(): void {
    this.wakeups.emit('wake');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client(this.config);
    this.client = client;
    let failed = false;
    const fail = (): void => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', fail);
    client.on('end', fail);
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.backoffMs = 100;
      // Appends may have happened while no connection listened.
      this.wake();
    } catch {
      fail();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.backoffMs);
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
  }
}
