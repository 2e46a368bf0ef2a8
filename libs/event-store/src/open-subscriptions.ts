import type { Subscription } from './event-store.port';

/**
 * The subscriptions an adapter has handed out and not yet seen end, so `close()` can stop them all. A subscription
 * leaves the set by itself when its `done` settles.
 */
export class OpenSubscriptions {
  private readonly open = new Set<Subscription>();

  track(subscription: Subscription): Subscription {
    this.open.add(subscription);
    const forget = (): void => {
      this.open.delete(subscription);
    };
    subscription.done.then(forget, forget);
    return subscription;
  }

  /** Stops every open subscription; each stop() waits for its handler's batch in flight. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.stop()));
  }
}
