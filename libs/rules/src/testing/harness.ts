import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  bestilling,
  bestillingFolding,
  ffbKatalog,
  STANDARD_REGLER,
  STANDARD_TAERSKLER,
  tilPligtEvent,
  toBestillingStreamId,
  toPligtStreamId,
  CURRENT_SCHEMA_VERSION,
  type PligtEvent,
  type SendTilbagemelding,
  type Taerskler,
} from '@hub/domain';
import { handleCommand, openSqliteEventStore, type EventStore } from '@hub/event-store';
import { dropSchema, PG_URL } from '@hub/event-store/testing/postgres';
import { domainWriter, udfoererFor, type DomainWriter } from '@hub/relay/testing/domain-writer';
import { PostgresRuleState } from '../rule-state.postgres';
import { RulesWorker, type RulesWorkerOptions } from '../rules-worker';
import { DAG_MS } from '../regel';

/** Where the worker keeps its rule state: a SQLite file in the harness's temp dir, or a schema in PostgreSQL. */
export type RuleStateBackend = 'sqlite' | 'postgres';

/**
 * The rules worker on a real SQLite event store in a temp dir, with the real deciders writing the history and one fake
 * clock for the domain's timestamps, the store's recordedAt and the deadlines. The rule state is named (`rules`, or
 * e.g. `fresh` for a replay into fresh state): a file per name, or a fresh schema per name (`rules_<random>_<name>`,
 * dropped on close) with the PostgreSQL backend (tests call `requirePostgres()` first).
 */
export class RegelHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'regler-'));
  private t: number;
  private readonly schemaPrefix = `rules_${randomBytes(5).toString('hex')}`;
  private readonly pgStates: PostgresRuleState[] = [];
  readonly store: EventStore;
  readonly writer: DomainWriter;
  worker: RulesWorker;

  constructor(
    start = '2026-03-01T09:00:00.000Z',
    private readonly taerskler: Partial<Taerskler> = {},
    readonly backend: RuleStateBackend = 'sqlite',
  ) {
    this.t = Date.parse(start);
    this.store = openSqliteEventStore({ file: join(this.dir, 'events.sqlite'), now: () => new Date(this.t) });
    this.writer = domainWriter(this.store, () => this.now());
    this.worker = this.newWorker();
    this.worker.start();
  }

  /**
   * The worker option for the rule state named `name`: its file, or a new connection to its schema (a restarted
   * instance opens its own; the harness closes them all).
   */
  ruleState(name = 'rules'): { file: string } | { state: PostgresRuleState } {
    if (this.backend === 'sqlite') return { file: join(this.dir, `${name}.sqlite`) };
    const state = new PostgresRuleState({ connectionString: PG_URL, schema: `${this.schemaPrefix}_${name}` });
    this.pgStates.push(state);
    return { state };
  }

  newWorker(name = 'rules', store: EventStore = this.store, taerskler = this.taerskler): RulesWorker {
    const options: RulesWorkerOptions = {
      ...this.ruleState(name),
      store,
      katalog: ffbKatalog,
      taerskler: () => ({ ...STANDARD_TAERSKLER, ...taerskler }),
      clock: () => new Date(this.t),
      autoTick: false,
      batchSize: 50,
    };
    return new RulesWorker(options);
  }

  now(): string {
    return new Date(this.t).toISOString();
  }

  /** Moves the clock forward, fires what fell due, and waits until the worker has carried out everything. */
  async frem(dage: number): Promise<void> {
    this.t += dage * DAG_MS;
    await this.worker.idle();
    await this.worker.tick();
    await this.worker.idle();
  }

  async til(tidspunkt: string): Promise<void> {
    await this.frem((Date.parse(tidspunkt) - this.t) / DAG_MS);
  }

  /** Waits until the worker has read everything written so far and carried out its outbox. */
  async roligt(): Promise<void> {
    await this.worker.idle();
  }

  /** Replaces the worker by a new one on the same (or another) rule state, as after a restart. */
  async genstart(
    name = 'rules',
    store: EventStore = this.store,
    vent = true,
    taerskler: Partial<Taerskler> = this.taerskler,
  ): Promise<void> {
    await this.worker.stop();
    await this.closeStates();
    this.worker = this.newWorker(name, store, taerskler);
    this.worker.start();
    if (vent) await this.worker.idle();
  }

  async pligt(bestillingId: string): Promise<PligtEvent[]> {
    return (await this.store.readStream(toPligtStreamId(bestillingId))).map((r) => tilPligtEvent(r));
  }

  /** Every tilbagemeldingspligt event in the log, with its id. */
  async allePligt(): Promise<{ eventId: string; event: PligtEvent }[]> {
    return (await this.store.readAll())
      .filter((r) => r.streamId.startsWith('tilbagemeldingspligt-'))
      .map((r) => ({ eventId: r.eventId, event: tilPligtEvent(r) }));
  }

  /** The udfører sends a tilbagemelding; with `opfylderKravId` it meets a krav (looked up as the hub does). */
  async tilbagemelding(
    bestillingId: string,
    tilbudId: string,
    data: Partial<SendTilbagemelding['data']> = {},
  ): Promise<string> {
    const tilbagemeldingId = randomUUID();
    const command: SendTilbagemelding = {
      type: 'SendTilbagemelding',
      data: {
        bestillingId,
        tilbagemeldingId,
        trigger: 'T2',
        tekst: 'Borgeren udvikler sig ikke som forventet.',
        ...data,
      },
    };
    const pligtEvents = await this.pligt(bestillingId);
    const krav = new Map(
      pligtEvents
        .filter((e) => e.type === 'TilbagemeldingKraevet')
        .map((e) => [
          (e.data as { kravId: string }).kravId,
          { bestillingId, trigger: (e.data as { trigger: string }).trigger },
        ]),
    );
    const actor = udfoererFor(tilbudId);
    await handleCommand(
      this.store,
      toBestillingStreamId(bestillingId),
      bestillingFolding,
      (state) =>
        bestilling.decide(
          command,
          state,
          { now: this.now(), katalog: ffbKatalog, regler: STANDARD_REGLER },
          {
            delmaal: new Map(),
            krav,
          },
        ),
      {
        eventId: () => randomUUID(),
        metadata: () => ({
          schemaVersion: CURRENT_SCHEMA_VERSION,
          occurredAt: this.now(),
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { party: actor.party, subject: actor.subject, tilbudId },
        }),
      },
    );
    return tilbagemeldingId;
  }

  async close(): Promise<void> {
    await this.worker.stop();
    const schemas = new Set(this.pgStates.map((s) => s.schema));
    await this.closeStates();
    for (const schema of schemas) await dropSchema(schema);
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Closes the PostgreSQL connections opened so far (the worker closes only a SQLite file it opened itself). */
  private async closeStates(): Promise<void> {
    for (const state of this.pgStates) await state.close();
  }
}
