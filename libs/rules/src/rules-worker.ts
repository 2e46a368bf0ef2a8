import {
  CURRENT_SCHEMA_VERSION,
  DomainError,
  pligt,
  pligtFolding,
  toPligtStreamId,
  type FfbKatalog,
  type PligtCommand,
  type PligtState,
  type Taerskler,
} from '@hub/domain';
import {
  handleCommand,
  StateCache,
  WrongExpectedRevisionError,
  type EventStore,
  type RecordedEvent,
  type Subscription,
} from '@hub/event-store';
import { backoffDelay, isUnavailable, silentLogger, type Logger } from '@hub/relay';
import { evaluator, tilRegelEvent, UlaesbarHaendelseError, type Evaluator } from './evaluering';
import { regelId, type Regel } from './regel';
import type { RegelDoc } from './regel-tilstand';
import { REGLER } from './regler';
import type { Beslutning, FristRow, RuleStateStatus, RuleStateStore } from './rule-state';
import { SqliteRuleState } from './rule-state.sqlite';

interface RulesWorkerCommonOptions {
  readonly store: EventStore;
  readonly katalog: FfbKatalog;
  /** The thresholds in force for a kommune (from the rules file). */
  readonly taerskler: (kommunekode: string) => Taerskler;
  /** The clock deadlines fall due by; tests pass a fake one and call `tick()`. */
  readonly clock?: () => Date;
  readonly regler?: readonly Regel[];
  readonly batchSize?: number;
  /** Longest wait between two looks at the deadlines; the worker also wakes when the next one falls due. */
  readonly tickMs?: number;
  /** false: no timers; deadlines fire only when `tick()` is called (tests with a fake clock). */
  readonly autoTick?: boolean;
  readonly logger?: Logger;
}

/**
 * Where the worker keeps its rule state, deadlines, outbox and checkpoint: `file`, a SQLite file the worker opens and
 * closes itself (the embedded default); or `state`, a store its owner opened (e.g. `PostgresRuleState`), which the
 * worker uses but does not close, so the owner can hand it to the next worker after a lease moves.
 */
export type RulesWorkerOptions = RulesWorkerCommonOptions &
  ({ readonly file: string; readonly state?: never } | { readonly state: RuleStateStore; readonly file?: never });

export interface RulesStatus extends RuleStateStatus {
  /** ok: following the log; down: failed, restarting from the checkpoint; blocked: stopped at an unreadable event. */
  readonly state: 'ok' | 'down' | 'blocked';
  readonly head: number;
  readonly lag: number;
  readonly restarts: number;
  /** Why it is not ok: an error code, or the type of the event it stopped at (never an event's data). */
  readonly code?: string;
  readonly position?: number;
}

const OUTBOX_CHUNK = 200;
const FIRE_CHUNK = 500;
const CONFLICT_RETRIES = 20;

/** The aggregate id a rule command acts on, and a key that names the command (its derived event ids come from it). */
function noegle(command: PligtCommand): string {
  switch (command.type) {
    case 'KraevTilbagemelding':
      return command.data.kravId;
    case 'RegistrerKravOpfyldt':
    case 'LadKravBortfalde':
      return command.data.kravId;
    case 'SendPaamindelse':
    case 'AfslutPaamindelse':
      return command.data.paamindelseId;
  }
}

/**
 * Runs the tilbagemeldingspligt rules on the store's log (design.md §1: rules are a worker on the log, never on the
 * in-process bus). For each batch: fold, evaluate, and commit documents, deadlines, outbox and checkpoint in one
 * transaction; then carry out the outbox through the write path with ids derived from rule, subject and cause, so a
 * command carried out twice (after a crash, or a replay into fresh state) records nothing the second time.
 *
 * Deadlines fire by the clock, but only once the worker has read the log up to when they fell due (or is caught up):
 * an event that cancels a deadline and was stored before it fell due is always seen first.
 */
export class RulesWorker {
  private readonly state: RuleStateStore;
  private readonly ownsState: boolean;
  private readonly evaluer: Evaluator;
  private readonly clock: () => Date;
  private readonly logger: Logger;
  private readonly cache = new Map<string, RegelDoc>();
  /** Folded pligt streams, so carrying out a command reads only the stream's tail. */
  private readonly pligter = new StateCache<PligtState>();
  private subscription: Subscription | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private wakeRequested = false;
  private stopping = false;
  private running: Promise<void> | undefined;
  private restarts = 0;
  private failure: string | undefined;
  private blocked: { readonly code: string; readonly position: number } | undefined;
  /** The checkpoint this worker last read or committed: the next batch's commit expects it (compare-and-set). */
  private committed = 0;
  /** When the last event read was recorded: deadlines due by then are safe to fire. */
  private lestTil = '';

  constructor(private readonly options: RulesWorkerOptions) {
    this.ownsState = options.state === undefined;
    this.state = options.state ?? new SqliteRuleState(options.file);
    this.evaluer = evaluator(options.katalog, options.taerskler, options.regler ?? REGLER);
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.running = this.run();
    if (this.options.autoTick !== false) this.schedule(0);
  }

  /** Stops after the batch in flight; the outbox and deadlines stay for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.subscription?.stop();
    await this.running?.catch(() => undefined);
    await this.queue.catch(() => undefined);
    if (this.ownsState) await this.state.close();
  }

  /** Fires what is due (when safe) and carries out the outbox. Serialised with the batches. */
  tick(): Promise<{ fired: number; dispatched: number }> {
    return this.serial(async () => {
      const now = this.clock().toISOString();
      let fired = 0;
      const checkpoint = (await this.state.checkpoint()).position;
      const caughtUp = checkpoint >= (await this.options.store.headPosition());
      const safeUntil = caughtUp ? now : this.lestTil < now ? this.lestTil : now;
      for (let n = FIRE_CHUNK; n === FIRE_CHUNK;) {
        n = await this.state.fireDue(safeUntil, FIRE_CHUNK);
        fired += n;
      }
      const dispatched = await this.drain();
      return { fired, dispatched };
    });
  }

  /** Resolves once the worker has read the log up to its head and the outbox is empty (tests, shutdown). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const head = await this.options.store.headPosition();
      const ok = await this.serial(
        async () => (await this.state.checkpoint()).position >= head && (await this.state.outbox(1)).length === 0,
      );
      if (ok) return;
      if (this.blocked) throw new Error(`rules worker is blocked at ${this.blocked.code} (${this.blocked.position})`);
      if (this.failure && Date.now() > deadline) throw new Error(`rules worker is down: ${this.failure}`);
      if (Date.now() > deadline) throw new Error('rules worker did not become idle in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async status(): Promise<RulesStatus> {
    const head = await this.options.store.headPosition();
    const s = await this.state.status(this.clock().toISOString());
    const problem = this.blocked
      ? { state: 'blocked' as const, ...this.blocked }
      : this.failure
        ? { state: 'down' as const, code: this.failure }
        : { state: 'ok' as const };
    return { ...s, ...problem, head, lag: head - s.checkpoint, restarts: this.restarts };
  }

  /** The deadlines of one bestilling (tests, operators). */
  frister(bestillingId: string): Promise<FristRow[]> {
    return this.state.frister(bestillingId);
  }

  private serial<T>(task: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopping;) {
      try {
        // Commands decided before a crash are carried out before anything new is read.
        await this.serial(() => this.drain());
        if (this.stopping) return;
        const { position } = await this.state.checkpoint();
        this.committed = position;
        if (this.stopping) return;
        const sub = this.options.store.subscribeToAll({
          after: position,
          batchSize: this.options.batchSize ?? 500,
          handler: (batch) => this.serial(() => this.handle(batch)),
        });
        this.subscription = sub;
        this.failure = undefined;
        await sub.done;
        return;
      } catch (error) {
        if (this.stopping) return;
        if (error instanceof UlaesbarHaendelseError) {
          // A code change is needed: restarting would fail on the same event. Stay stopped, and say where.
          this.blocked = { code: error.eventType, position: error.position };
          this.logger.error('rules: stopped at an event they cannot read', {
            position: error.position,
            eventType: error.eventType,
          });
          return;
        }
        this.failure = (error as { code?: string }).code ?? (error as Error).name ?? 'UNKNOWN';
        this.cache.clear();
        const delay = backoffDelay(attempt++);
        this.logger.error('rules: stopped on an error, restarting from the checkpoint', {
          retryInMs: delay,
          code: this.failure,
          error: error instanceof Error ? error.name : 'UNKNOWN',
        });
        await new Promise((r) => setTimeout(r, delay));
        this.restarts += 1;
      }
    }
  }

  private async handle(batch: readonly RecordedEvent[]): Promise<void> {
    const events = batch.flatMap((recorded) => {
      const event = tilRegelEvent(recorded);
      return event ? [{ recorded, event }] : [];
    });
    const ids = events.map((e) => e.event.data.bestillingId).filter((id) => !this.cache.has(id));
    for (const [id, doc] of await this.state.docs(ids)) this.cache.set(id, doc);
    const changed = new Map<string, RegelDoc>();
    const beslutninger: Beslutning[] = [];
    for (const { recorded, event } of events) {
      const id = event.data.bestillingId;
      const { doc, affyringer } = this.evaluer(this.cache.get(id) ?? null, event, recorded.eventId);
      if (!doc) continue;
      this.cache.set(id, doc);
      changed.set(id, doc);
      for (const a of affyringer)
        beslutninger.push({ ...a, eventId: recorded.eventId, position: recorded.position, bestillingId: id });
    }
    const last = batch[batch.length - 1] as RecordedEvent;
    await this.state.commit(changed, beslutninger, {
      after: this.committed,
      position: last.position,
      eventId: last.eventId,
    });
    this.committed = last.position;
    this.lestTil = last.recordedAt;
    if (this.cache.size > 50_000) this.cache.clear();
    if (beslutninger.length > 0) await this.drain();
    const next = await this.state.nextDue();
    if (next !== null && next <= this.lestTil && next <= this.clock().toISOString()) this.wake();
  }

  /** Carries out the outbox in order; a store outage leaves the rest for the next tick. */
  private async drain(): Promise<number> {
    let done = 0;
    for (
      let rows = await this.state.outbox(OUTBOX_CHUNK);
      rows.length > 0;
      rows = await this.state.outbox(OUTBOX_CHUNK)
    ) {
      for (const row of rows) {
        try {
          await this.dispatch(row.kommando);
          await this.state.done(row.seq);
          done += 1;
        } catch (error) {
          if (error instanceof DomainError) {
            // A rule decided something the domain refuses: a bug in a rule, not a reason to stop the others.
            this.logger.error('rules: the domain refused a rule command; kept aside', {
              code: error.code,
              type: row.kommando.type,
            });
            await this.state.reject(row, error.code, error.message, this.clock().toISOString());
            continue;
          }
          if (isUnavailable(error)) return done;
          throw error;
        }
      }
    }
    return done;
  }

  private async dispatch(command: PligtCommand): Promise<void> {
    const now = this.clock().toISOString();
    const { regel, aarsager } = command.data;
    const cause = aarsager[0] as string;
    for (let attempt = 0; ; attempt++) {
      try {
        await handleCommand(
          this.options.store,
          toPligtStreamId(command.data.bestillingId),
          pligtFolding,
          (state) => pligt.decide(command, state, { now }),
          {
            cache: this.pligter,
            eventId: (index) => regelId('event', command.type, noegle(command), index),
            metadata: () => ({
              schemaVersion: CURRENT_SCHEMA_VERSION,
              occurredAt: now,
              correlationId: cause,
              causationId: cause,
              actor: { party: 'hub', subject: `regel:${regel.id}@${regel.version}` },
              ffbVersion: this.options.katalog.version,
            }),
          },
        );
        return;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && attempt < CONFLICT_RETRIES) continue;
        throw error;
      }
    }
  }

  /**
   * One timer at a time: it ticks, then sets itself for the next due deadline or a whole tick, whichever is first. A
   * due deadline still pending after a tick was not yet safe to fire: the timer waits a whole tick rather than spin,
   * and `wake()` brings the tick forward as soon as a batch has read past it.
   */
  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => void this.tickAndReschedule(), delayMs);
    this.timer.unref?.();
  }

  private async tickAndReschedule(): Promise<void> {
    this.ticking = true;
    try {
      await this.tick();
    } catch (error) {
      if (!isUnavailable(error))
        this.logger.error('rules: a tick failed', { error: error instanceof Error ? error.name : 'UNKNOWN' });
    }
    const tickMs = this.options.tickMs ?? 1000;
    // A state store that fails here failed the tick too: look again after a whole tick.
    const next = this.stopping ? null : await this.state.nextDue().catch(() => null);
    this.ticking = false;
    const untilNext = next === null ? tickMs : Date.parse(next) - this.clock().getTime();
    const delay = untilNext <= 0 ? tickMs : Math.max(5, Math.min(tickMs, untilNext));
    this.schedule(this.wakeRequested ? 0 : delay);
    this.wakeRequested = false;
  }

  /** A batch read past a due deadline: tick now instead of at the next whole tick. */
  private wake(): void {
    if (this.options.autoTick === false || this.stopping) return;
    if (this.ticking) {
      this.wakeRequested = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }
}
