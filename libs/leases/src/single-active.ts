import type { LeaseStore } from './lease-store';

/** A worker that runs only while its instance holds the lease: started on taking it, stopped on losing it. */
export interface LeasedWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SingleActiveOptions {
  readonly leases: LeaseStore;
  /** The lease's name: the worker role, e.g. `projector`. */
  readonly name: string;
  /** This instance, e.g. `hostname:pid:random`. */
  readonly holder: string;
  /** How long a grant lasts without renewal. Default 10 s. A standby takes over at most this long after a crash. */
  readonly ttlMs?: number;
  /** How often the holder renews and a standby tries. Default ttl / 4. */
  readonly renewMs?: number;
  /** A fresh worker for each time the lease is taken; stopped before the lease could pass to another instance. */
  readonly worker: () => LeasedWorker;
  readonly logger?: {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
  };
  /** Monotonic milliseconds; injectable for tests. */
  readonly monotonicNow?: () => number;
}

export type SingleActiveState = 'standby' | 'active' | 'stopped';

export interface SingleActiveStatus {
  readonly lease: string;
  readonly state: SingleActiveState;
  /** The fencing token of the grant this instance works under; absent on standby. */
  readonly token?: number;
  /** How often this instance took the lease since it started. */
  readonly takeovers: number;
  /** Renewals (or attempts on standby) that failed because the lease store did not answer. */
  readonly storeErrors: number;
}

/**
 * Runs a worker on exactly one instance at a time (docs/adr/0011). Every `renewMs` the instance asks the lease store
 * for the lease: a standby takes it once it is free or expired, the holder extends it. The holder stops its worker as
 * soon as a renewal is refused, and also when it could not renew for `ttl − renewMs` by its own monotonic clock (the
 * store unreachable): by then another instance may take the lease, so the worker must already be stopped. The grant is
 * counted from before the request was sent, so the local deadline is never later than the store's.
 *
 * The lease makes one worker active; it is not what keeps data right. Each worker's commits check their own
 * checkpoint (compare-and-set), so even a paused process that wakes after losing its lease cannot apply a batch twice.
 */
export class SingleActive {
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly now: () => number;
  private state: SingleActiveState = 'standby';
  private token: number | undefined;
  private worker: LeasedWorker | undefined;
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private takeovers = 0;
  private storeErrors = 0;

  constructor(private readonly options: SingleActiveOptions) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.renewMs = options.renewMs ?? Math.max(50, Math.floor(this.ttlMs / 4));
    if (this.renewMs * 2 > this.ttlMs) throw new Error('SingleActive: renewMs must be at most half of ttlMs');
    this.now = options.monotonicNow ?? (() => performance.now());
  }

  /** Begins trying for the lease; resolves after the first attempt (active or standby). */
  async start(): Promise<void> {
    if (this.state === 'stopped') this.state = 'standby';
    await this.tick();
  }

  /** Stops the worker (if active), gives the lease up, and stops trying. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    await this.deactivate('shutdown');
    if (this.token !== undefined) {
      this.token = undefined;
      await this.options.leases.release(this.options.name, this.options.holder).catch(() => undefined);
    }
  }

  status(): SingleActiveStatus {
    return {
      lease: this.options.name,
      state: this.state,
      ...(this.state === 'active' && this.token !== undefined ? { token: this.token } : {}),
      takeovers: this.takeovers,
      storeErrors: this.storeErrors,
    };
  }

  /** The running worker while active; undefined on standby. */
  current(): LeasedWorker | undefined {
    return this.state === 'active' ? this.worker : undefined;
  }

  private tick(): Promise<void> {
    this.round = this.round.then(() => this.attempt());
    return this.round;
  }

  private async attempt(): Promise<void> {
    if (this.state === 'stopped') return;
    const sentAt = this.now();
    let grant: { token: number } | null | undefined;
    try {
      grant = await this.options.leases.acquire(this.options.name, this.options.holder, this.ttlMs);
    } catch (error) {
      this.storeErrors++;
      this.options.logger?.warn('lease: the lease store did not answer', {
        lease: this.options.name,
        error: String(error),
      });
    }
    if (grant) {
      this.validUntil = sentAt + this.ttlMs;
      if (this.state === 'active' && this.token !== grant.token) await this.deactivate('lapsed');
      this.token = grant.token;
      if (this.state === 'standby') await this.activate();
    } else if (grant === null) {
      this.token = undefined;
      if (this.state === 'active') await this.deactivate('taken');
    } else if (this.state === 'active' && this.now() + this.renewMs >= this.validUntil) {
      // Not renewed, and the next attempt would come after the grant ends: stop now, while it still holds.
      await this.deactivate('unrenewed');
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.state === 'stopped') return;
    this.timer = setTimeout(() => void this.tick(), this.renewMs);
    this.timer.unref();
  }

  private async activate(): Promise<void> {
    const worker = this.options.worker();
    this.worker = worker;
    this.state = 'active';
    this.takeovers++;
    this.options.logger?.info('lease: taken, worker starting', { lease: this.options.name, token: this.token });
    try {
      await worker.start();
    } catch (error) {
      this.options.logger?.warn('lease: the worker did not start; giving the lease up', {
        lease: this.options.name,
        error: String(error),
      });
      await this.deactivate('start failed');
      await this.options.leases.release(this.options.name, this.options.holder).catch(() => undefined);
      this.token = undefined;
    }
  }

  private async deactivate(reason: string): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    if (this.state === 'active') this.state = 'standby';
    this.options.logger?.info('lease: worker stopping', { lease: this.options.name, reason });
    await worker.stop().catch((error: unknown) =>
      this.options.logger?.warn('lease: the worker did not stop cleanly', {
        lease: this.options.name,
        error: String(error),
      }),
    );
  }
}
