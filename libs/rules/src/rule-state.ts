import type { PligtCommand } from '@hub/domain';
import type { Udfald } from './regel';
import type { RegelDoc } from './regel-tilstand';

/**
 * A deadline: pending until it falls due (fired), then closed when what it waited for happens. A deadline cancelled
 * while pending is deleted: only fired ones are kept, and they are what makes a deadline fire once.
 */
export type FristStatus = 'afventer' | 'udloest' | 'afsluttet';

export interface FristRow {
  readonly id: string;
  readonly regelId: string;
  readonly regelVersion: number;
  readonly subjekt: string;
  readonly forfald: string;
  readonly bestillingId: string;
  readonly kommando: PligtCommand;
  readonly status: FristStatus;
}

export interface UdbakkeRow {
  readonly seq: number;
  readonly kommando: PligtCommand;
}

/** One rule output with where it came from: the event it was decided on. */
export interface Beslutning {
  readonly regel: { readonly id: string; readonly version: number };
  readonly udfald: Udfald;
  readonly eventId: string;
  readonly position: number;
  readonly bestillingId: string;
}

export interface RuleStateCheckpoint {
  readonly position: number;
  readonly eventId: string | null;
}

/** Where a batch starts and ends in the log. */
export interface BatchCheckpoint {
  /**
   * The checkpoint the batch was read after. The commit is a compare-and-set on it: when the stored checkpoint is
   * another (an instance that lost its lease still running, or a second worker on the same state), nothing is written
   * and it fails with `RuleStateCheckpointMovedError`.
   */
  readonly after: number;
  readonly position: number;
  readonly eventId: string;
}

/** A batch's commit found the checkpoint moved by someone else: nothing was written; restart from the stored one. */
export class RuleStateCheckpointMovedError extends Error {
  static readonly code = 'RULE_STATE.CHECKPOINT_MOVED';
  readonly code = RuleStateCheckpointMovedError.code;
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`the rule state's checkpoint is ${actual}, not ${expected}: another worker committed in between`);
    this.name = 'RuleStateCheckpointMovedError';
  }
}

export interface RuleStateStatus {
  readonly checkpoint: number;
  readonly checkpointEventId: string | null;
  readonly fristerAfventer: number;
  readonly fristerForfaldne: number;
  readonly udbakke: number;
  readonly afviste: number;
  readonly affyringer: Readonly<Record<string, number>>;
}

/**
 * The rules worker's durable state (port): the rule state documents, the deadlines, the outbox of commands not yet
 * carried out, the commands the domain refused, and the checkpoint. Adapters: `SqliteRuleState` (one file, the
 * embedded default) and `PostgresRuleState` (production, shared by the instances that take the rules lease in turn).
 *
 * What every adapter guarantees (the contract suite in `testing/rule-state.contract.ts` checks it):
 * - `commit` writes a batch's documents, deadlines, outbox commands and checkpoint in one transaction, and only when
 *   the stored checkpoint is the one the batch was read after (compare-and-set);
 * - a deadline's id is derived from rule, subject and cause, so deciding it again is a no-op;
 * - `fireDue` marks deadlines fired and puts their commands in the outbox in one transaction, so each fires once;
 * - the outbox keeps its order and survives restarts until `done` or `reject` takes a command out.
 */
export interface RuleStateStore {
  checkpoint(): Promise<RuleStateCheckpoint>;
  /** The stored documents of these bestillinger (the ones with none are left out). */
  docs(ids: Iterable<string>): Promise<Map<string, RegelDoc>>;
  /**
   * Applies one batch's decisions with its changed documents and the new checkpoint, atomically. Returns how many
   * commands went to the outbox.
   */
  commit(
    docs: ReadonlyMap<string, RegelDoc>,
    beslutninger: readonly Beslutning[],
    checkpoint: BatchCheckpoint,
  ): Promise<number>;
  /** Fires the deadlines due at `now` (at most `limit`): marks them fired and puts their commands in the outbox. */
  fireDue(now: string, limit: number): Promise<number>;
  /** When the earliest pending deadline falls due, or null when none is pending. */
  nextDue(): Promise<string | null>;
  /** The first `limit` commands of the outbox, in the order they were decided. */
  outbox(limit: number): Promise<UdbakkeRow[]>;
  /** A command was carried out: it leaves the outbox. */
  done(seq: number): Promise<void>;
  /** A command the domain refused (a rule's bug, never input): kept aside with the code, out of the outbox. */
  reject(row: UdbakkeRow, code: string, message: string, now: string): Promise<void>;
  /** The deadlines of one bestilling, in the order they fall due (tests, operators). */
  frister(bestillingId: string): Promise<FristRow[]>;
  status(now: string): Promise<RuleStateStatus>;
  close(): Promise<void>;
}

/**
 * The deadlines of a batch that a later decision of the same batch cancels (the same rule and subject): they would be
 * written and deleted in one transaction, so they are not written at all. A delmål documented several times in a batch
 * then writes one deadline, not one per observation.
 */
export function overhaledeFrister(beslutninger: readonly Beslutning[]): Set<number> {
  const overhalet = new Set<number>();
  const aabne = new Map<string, number[]>();
  beslutninger.forEach((b, index) => {
    const u = b.udfald;
    if (u.type === 'kommando') return;
    const key = `${b.regel.id}\n${u.subjekt}`;
    if (u.type === 'frist') aabne.set(key, [...(aabne.get(key) ?? []), index]);
    else {
      for (const i of aabne.get(key) ?? []) overhalet.add(i);
      aabne.delete(key);
    }
  });
  return overhalet;
}

/**
 * The command that closes a reminder already sent when what it waited for happens (the deadline is cancelled after it
 * fired); null for a fired deadline that sent something else.
 */
export function afslutSendt(sendt: PligtCommand, annullering: Beslutning): PligtCommand | null {
  if (sendt.type !== 'SendPaamindelse') return null;
  return {
    type: 'AfslutPaamindelse',
    data: {
      bestillingId: sendt.data.bestillingId,
      paamindelseId: sendt.data.paamindelseId,
      regel: annullering.regel,
      aarsager: [annullering.eventId],
    },
  };
}
