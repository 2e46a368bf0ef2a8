import {
  bestilling,
  delmaal,
  toBestillingStreamId,
  toDelmaalStreamId,
  CURRENT_SCHEMA_VERSION,
  type Advarsel,
  type BestillingCommand,
  type BestillingEvent,
  type BestillingOpslag,
  type BestillingState,
  type DecisionContext,
  type DelmaalCommand,
  type DelmaalEvent,
  type DelmaalFindes,
  type DelmaalState,
  type PligtState,
  type FfbKatalog,
  type Regelkonfiguration,
  bestillingFolding,
  delmaalFolding,
  pligtFolding,
  toPligtStreamId,
} from '@hub/domain';
import {
  handleCommand,
  readState,
  StateCache,
  type CommandContext,
  type EventMetadata,
  type EventStore,
} from '@hub/event-store';
import { assertParty, assertScope, type Actor } from './access';

export type { Actor } from './access';

export type HubCommand = BestillingCommand | DelmaalCommand;

export interface CommandMeta {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
  /** If-Match: the stream revision the caller saw. */
  readonly expectedRevision?: number;
  /** Decide and authorise, but append nothing: checks a command before a side effect outside the log. */
  readonly dryRun?: boolean;
}

export interface CommandOutcome {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number | null;
  readonly events: readonly { readonly eventId: string; readonly type: string; readonly data: unknown }[];
  readonly advarsler: readonly Advarsel[];
}

export interface CommandServiceDeps {
  readonly store: EventStore;
  readonly katalog: FfbKatalog;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** The rules in force for a bestilling of this kommune and tilbud (Warn rules per kommune, R-28 per tilbud). */
  readonly regler: (kommunekode: string | undefined, tilbudId: string | undefined) => Regelkonfiguration;
  /**
   * Encrypts the free text of decided events under the borger's key before they are folded or appended (the hub's
   * `Fritekst`; design.md §3). Refuses for an erased borger. Left out only by tests of other parts.
   */
  readonly beskyt?: <E extends { readonly type: string; readonly data: unknown }>(
    borgerId: string,
    events: readonly E[],
  ) => Promise<readonly E[]>;
}

const DELMAAL_COMMANDS: ReadonlySet<string> = new Set([
  'OpretDelmaal',
  'RegistrerDelmaalsobservation',
  'EvaluerDelmaal',
  'AfslutDelmaal',
]);
const isDelmaalCommand = (command: HubCommand): command is DelmaalCommand => DELMAAL_COMMANDS.has(command.type);

/**
 * The application service behind every edge (HTTP now, Kafka later): it routes a command to its aggregate's stream,
 * checks that the sending party may act on it, loads what the decider may read from other streams, and runs the one
 * write path. The party check runs on the same folded state the decision uses, so it cannot go stale in between.
 */
export class CommandService {
  private readonly bestillinger = new StateCache<BestillingState>();
  private readonly delmaalCache = new StateCache<DelmaalState>();
  private readonly pligter = new StateCache<PligtState>();

  constructor(private readonly deps: CommandServiceDeps) {}

  async handle(command: HubCommand, meta: CommandMeta): Promise<CommandOutcome> {
    assertParty(meta.actor, command.type);
    const now = this.deps.clock().toISOString();
    return isDelmaalCommand(command)
      ? this.handleDelmaal(command, meta, now)
      : this.handleBestilling(command, meta, now);
  }

  /** The bestilling's current state, as the write path folds it (read models come in their own issue). */
  async bestilling(bestillingId: string) {
    return readState(this.deps.store, toBestillingStreamId(bestillingId), bestillingFolding, this.bestillinger);
  }

  async delmaal(delmaalId: string) {
    return readState(this.deps.store, toDelmaalStreamId(delmaalId), delmaalFolding, this.delmaalCache);
  }

  private async handleBestilling(command: BestillingCommand, meta: CommandMeta, now: string): Promise<CommandOutcome> {
    const streamId = toBestillingStreamId(command.data.bestillingId);
    const opslag =
      command.type === 'SendTilbagemelding'
        ? {
            ...(await this.delmaalOpslag(command.data.observationer ?? [])),
            krav: await this.kravOpslag(command.data.bestillingId, command.data.opfylderKravId),
          }
        : undefined;
    const result = await handleCommand(
      this.deps.store,
      streamId,
      bestillingFolding,
      (state) => {
        const parter = state.fase !== 'ingen' ? state : command.type === 'AfgivBestilling' ? command.data : undefined;
        const ctx = this.context(now, parter);
        const events = bestilling.decide(command, state, ctx, opslag);
        return meta.dryRun ? [] : events;
      },
      {
        ...this.commandContext(meta, now),
        cache: this.bestillinger,
        ...this.beskyttelse((state, events) =>
          state.fase !== 'ingen' ? state.borgerId : (events[0]?.data as { borgerId?: string } | undefined)?.borgerId,
        ),
        // Before If-Match: another party gets 403, never a 412 that would tell it the bestilling exists.
        authorize: (state) => {
          if (state.fase !== 'ingen') assertScope(meta.actor, state);
          else if (command.type === 'AfgivBestilling') assertScope(meta.actor, command.data);
        },
      },
    );
    return this.outcome(streamId, result);
  }

  private async handleDelmaal(command: DelmaalCommand, meta: CommandMeta, now: string): Promise<CommandOutcome> {
    const streamId = toDelmaalStreamId(command.data.delmaalId);
    let bestillingId: string | undefined;
    if (command.type === 'OpretDelmaal') bestillingId = command.data.bestillingId;
    else {
      const current = await this.delmaal(command.data.delmaalId);
      if (current.state.fase !== 'ingen') bestillingId = current.state.bestillingId;
    }
    const best =
      bestillingId === undefined ? { state: bestilling.initialState() } : await this.bestilling(bestillingId);
    const result = await handleCommand(
      this.deps.store,
      streamId,
      delmaalFolding,
      (state) => {
        const ctx = this.context(now, best.state.fase === 'ingen' ? undefined : best.state);
        const events = delmaal.decide(command, state, ctx, best.state);
        return meta.dryRun ? [] : events;
      },
      {
        ...this.commandContext(meta, now),
        cache: this.delmaalCache,
        ...this.beskyttelse(() => (best.state.fase === 'ingen' ? undefined : best.state.borgerId)),
        authorize: (state) => {
          if (state.fase !== 'ingen') assertScope(meta.actor, state);
          else if (best.state.fase !== 'ingen') assertScope(meta.actor, best.state);
        },
      },
    );
    return this.outcome(streamId, result);
  }

  /** The write path's `protect` step: the events' free text under the key of the borger the stream is about. */
  private beskyttelse<State>(
    borgerAf: (state: State, events: readonly { readonly data: unknown }[]) => string | undefined,
  ): { protect?: CommandContext<State>['protect'] } {
    const beskyt = this.deps.beskyt;
    if (!beskyt) return {};
    return {
      protect: async (events, state) => {
        const borgerId = borgerAf(state, events);
        if (borgerId === undefined) throw new Error('a decided event has no borger to encrypt its free text for');
        return beskyt(borgerId, events);
      },
    };
  }

  private async delmaalOpslag(refs: readonly { type: string; delmaalId?: string }[]): Promise<BestillingOpslag> {
    const ids = [
      ...new Set(
        refs.filter((r) => r.type === 'delmaal' && typeof r.delmaalId === 'string').map((r) => r.delmaalId as string),
      ),
    ];
    const entries = await Promise.all(ids.map(async (id) => [id, (await this.delmaal(id)).state] as const));
    return {
      delmaal: new Map(
        entries
          .filter((e): e is readonly [string, DelmaalFindes] => e[1].fase !== 'ingen')
          .map(([id, s]) => [id, { bestillingId: s.bestillingId, observationer: s.observationer }]),
      ),
    };
  }

  /** The open krav a tilbagemelding says it meets, from the bestilling's tilbagemeldingspligt stream. */
  private async kravOpslag(
    bestillingId: string,
    kravId: string | null | undefined,
  ): Promise<ReadonlyMap<string, { bestillingId: string; trigger: string }>> {
    if (typeof kravId !== 'string' || typeof bestillingId !== 'string') return new Map();
    const { state } = await readState(this.deps.store, toPligtStreamId(bestillingId), pligtFolding, this.pligter);
    const krav = state.krav[kravId];
    // A met krav stays in the map: the bestilling stream itself says which tilbagemelding met it (ALLEREDE_OPFYLDT).
    return krav && !krav.bortfaldet && state.parter
      ? new Map([[kravId, { bestillingId: state.parter.bestillingId, trigger: krav.trigger }]])
      : new Map();
  }

  private context(now: string, parter: { kommunekode: string; tilbudId: string } | undefined): DecisionContext {
    return { now, katalog: this.deps.katalog, regler: this.deps.regler(parter?.kommunekode, parter?.tilbudId) };
  }

  private commandContext(meta: CommandMeta, now: string) {
    const eventIds: string[] = [];
    const { actor } = meta;
    const metadata: EventMetadata = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      occurredAt: now,
      correlationId: meta.correlationId,
      causationId: meta.causationId ?? meta.correlationId,
      actor: {
        party: actor.party,
        subject: actor.subject,
        ...(actor.kommunekode === undefined ? {} : { kommunekode: actor.kommunekode }),
        ...(actor.tilbudId === undefined ? {} : { tilbudId: actor.tilbudId }),
      },
      ffbVersion: this.deps.katalog.version,
    };
    return {
      eventId: (index: number) => (eventIds[index] ??= this.deps.newId()),
      metadata: () => metadata,
      ...(meta.expectedRevision === undefined ? {} : { expectedRevision: meta.expectedRevision }),
    };
  }

  private outcome(
    streamId: string,
    result: {
      events: readonly (BestillingEvent | DelmaalEvent)[];
      eventIds: readonly string[];
      revision: number;
      lastPosition: number | null;
    },
  ): CommandOutcome {
    return {
      streamId,
      revision: result.revision,
      position: result.lastPosition,
      events: result.events.map((e, i) => ({ eventId: result.eventIds[i] as string, type: e.type, data: e.data })),
      advarsler: result.events.flatMap((e) => ('advarsler' in e.data ? e.data.advarsler : [])),
    };
  }
}
