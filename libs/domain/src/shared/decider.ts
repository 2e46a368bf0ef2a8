import type { FfbKatalog } from '../ffb/katalog';
import type { Regelkonfiguration } from '../konfiguration';

/** A domain event: a stable, Danish past-tense type name and plain readonly data (no classes, no Dates). */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/** What a decision may depend on besides the command and the state. The edge fills it; the domain never reads a clock. */
export interface DecisionContext {
  /** ISO-8601 instant of the decision. */
  readonly now: string;
  readonly katalog: FfbKatalog;
  readonly regler: Regelkonfiguration;
}
