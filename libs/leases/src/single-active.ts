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
 * soon as a renewal is refused, and, by a watchdog on its own timer, shortly before its grant ends when no renewal
 * moved the end (the store unreachable or hanging): by then another instance may take the lease, so the worker must
 * already be stopped. The grant is counted by the instance's monotonic clock from before the request was sent, so the
 * local end is never later than the store's. A request to a hanging store is given up in time; the worker starts in
 * the background, so renewals go on while it starts.
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
  private watchdog: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private round: Promise<void> = Promise.resolve();
  private takeovers = 0;
  private storeErrors = 0;

  constructor(private readonly options: SingleActiveOptions) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.renewMs = options.renewMs ?? Math.max(50, Math.floor(this.ttlMs / 4));
    if (this.renewMs * 2 > this.ttlMs) throw new Error('SingleActive: renewMs must be at most half of ttlMs');
    this.now = options.monotonicNow ?? (() => performance.now());
  }

  /** Begins trying for the lease; resolves after the first attempt (and, when it took the lease, the worker's start). */
  async start(): Promise<void> {
    if (this.state === 'stopped') this.state = 'standby';
    await this.tick();
    await this.starting;
  }

  /** Stops the worker (if active), gives the lease up, and stops trying. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.disarm();
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
    this.round = this.round
      .then(() => this.attempt())
      .catch((error: unknown) => {
        // A bug in a round must not end the renewals: log it and go on with the next one.
        this.options.logger?.warn('lease: a renewal round failed', { lease: this.options.name, error: String(error) });
        this.schedule();
      });
    return this.round;
  }

  private async attempt(): Promise<void> {
    if (this.state === 'stopped') return;
    const sentAt = this.now();
    // A store that hangs (a network partition) must not hold the round past the grant: the answer is awaited only
    // as long as it could still be of use. The pool's own timeouts end the query itself.
    const patience = this.state === 'active' ? Math.max(1, this.validUntil - this.margin() - sentAt) : this.renewMs;
    let grant: { token: number } | null | undefined;
    try {
      grant = await withTimeout(
        this.options.leases.acquire(this.options.name, this.options.holder, this.ttlMs),
        patience,
      );
    } catch (error) {
      this.storeErrors++;
      this.options.logger?.warn('lease: the lease store did not answer', {
        lease: this.options.name,
        error: String(error),
      });
    }
    // stop() may have been called while the request was out.
    if ((this.state as SingleActiveState) === 'stopped') return;
    if (grant) {
      if (this.state === 'active' && this.token !== grant.token) await this.deactivate('lapsed');
      this.token = grant.token;
      this.validUntil = sentAt + this.ttlMs;
      if (this.state === 'standby') this.activate();
      this.arm();
    } else if (grant === null) {
      this.token = undefined;
      this.disarm();
      if (this.state === 'active') await this.deactivate('taken');
    }
    // Not renewed (the store did not answer): the watchdog stops the worker before the grant ends.
    this.schedule();
  }

  /** How long before the grant ends the worker must have been told to stop. */
  private margin(): number {
    return Math.max(10, Math.floor(this.renewMs / 2));
  }

  /**
   * The watchdog: stops the worker shortly before the grant ends unless a renewal moved the end. It runs on its own
   * timer, whatever the renewal round is waiting for, so no hang anywhere keeps a worker running past its grant.
   */
  private arm(): void {
    this.disarm();
    const delay = Math.max(0, this.validUntil - this.margin() - this.now());
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      if (this.state !== 'active') return;
      this.options.logger?.warn('lease: not renewed in time; stopping the worker before the grant ends', {
        lease: this.options.name,
      });
      void this.deactivate('unrenewed');
    }, delay);
    this.watchdog.unref();
  }

  private disarm(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private schedule(): void {
    if (this.state === 'stopped') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.renewMs);
    this.timer.unref();
  }

  /** Starts a fresh worker in the background, so renewals go on while it starts. */
  private activate(): void {
    let worker: LeasedWorker;
    try {
      worker = this.options.worker();
    } catch (error) {
      this.starting = this.startFailed(error);
      return;
    }
    this.worker = worker;
    this.state = 'active';
    this.takeovers++;
    this.options.logger?.info('lease: taken, worker starting', { lease: this.options.name, token: this.token });
    this.starting = worker.start().catch(async (error: unknown) => {
      if (this.worker !== worker) return;
      // This handler is part of the start deactivate() would otherwise wait for: it must not wait for itself.
      await this.deactivate('start failed', false);
      await this.startFailed(error);
    });
  }

  /** A worker that cannot start gives the lease up, so another instance may try; this one tries again later. */
  private async startFailed(error: unknown): Promise<void> {
    this.options.logger?.warn('lease: the worker did not start; giving the lease up', {
      lease: this.options.name,
      error: String(error),
    });
    this.disarm();
    this.token = undefined;
    await this.options.leases.release(this.options.name, this.options.holder).catch(() => undefined);
  }

  private async deactivate(reason: string, awaitStart = true): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    if (this.state === 'active') this.state = 'standby';
    this.options.logger?.info('lease: worker stopping', { lease: this.options.name, reason });
    // A start still running finishes first, so the stop finds what it has to stop.
    if (awaitStart) await this.starting;
    await worker.stop().catch((error: unknown) =>
      this.options.logger?.warn('lease: the worker did not stop cleanly', {
        lease: this.options.name,
        error: String(error),
      }),
    );
  }
}

/** Rejects after `ms` unless the promise settled first. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms)} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
