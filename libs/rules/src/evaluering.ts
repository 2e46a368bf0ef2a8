import {
  PLIGT_EVENT_TYPES,
  tilBestillingEvent,
  tilDelmaalEvent,
  tilPligtEvent,
  type FfbKatalog,
  type Taerskler,
} from '@hub/domain';
import type { RecordedEvent } from '@hub/event-store';
import { Bygger, type Regel, type Udfald } from './regel';
import { foldBeslutning, foldRegel, type RegelDoc, type RegelEvent } from './regel-tilstand';
import { REGLER } from './regler';

export interface Affyring {
  readonly regel: { readonly id: string; readonly version: number };
  readonly udfald: Udfald;
}

/** An event of a category the rules read, which this build cannot read (unknown type or a newer schema). */
export class UlaesbarHaendelseError extends Error {
  constructor(
    readonly position: number,
    readonly eventType: string,
    cause: unknown,
  ) {
    super(`the rules cannot read ${eventType} at position ${position}`);
    this.name = 'UlaesbarHaendelseError';
    (this as { cause?: unknown }).cause = cause;
  }
}

const LAESERE = {
  bestilling: tilBestillingEvent,
  delmaal: tilDelmaalEvent,
  tilbagemeldingspligt: tilPligtEvent,
} as const;

/**
 * The rule event of a stored event: the bestilling, delmål and tilbagemeldingspligt categories; other categories give
 * nothing. An event of those categories that cannot be read throws UlaesbarHaendelseError: the rules stop at it rather
 * than skip a fact they may owe a duty on.
 */
export function tilRegelEvent(recorded: RecordedEvent): RegelEvent | undefined {
  const category = recorded.streamId.slice(0, recorded.streamId.indexOf('-'));
  const laes = (LAESERE as Record<string, (r: RecordedEvent) => RegelEvent>)[category];
  if (!laes) return undefined;
  try {
    return laes(recorded);
  } catch (error) {
    throw new UlaesbarHaendelseError(recorded.position, recorded.type, error);
  }
}

export const PLIGT_TYPER: ReadonlySet<string> = new Set(PLIGT_EVENT_TYPES);

/** Which rules read which event type, computed once. */
function index(regler: readonly Regel[]): ReadonlyMap<string, readonly Regel[]> {
  const map = new Map<string, Regel[]>();
  for (const regel of regler) for (const type of regel.reagererPaa) map.set(type, [...(map.get(type) ?? []), regel]);
  return map;
}

export interface Evaluator {
  /** Folds the event into the bestilling's rule state and asks each rule that reads its type. Pure. */
  (doc: RegelDoc | null, event: RegelEvent, eventId: string): { doc: RegelDoc | null; affyringer: Affyring[] };
}

export function evaluator(
  katalog: FfbKatalog,
  taerskler: (kommunekode: string) => Taerskler,
  regler: readonly Regel[] = REGLER,
): Evaluator {
  const byType = index(regler);
  // Configuration is fixed for the life of a worker: merge each kommune's thresholds once.
  const taersklerCache = new Map<string, Taerskler>();
  const taersklerFor = (kommunekode: string): Taerskler => {
    let t = taersklerCache.get(kommunekode);
    if (!t) taersklerCache.set(kommunekode, (t = taerskler(kommunekode)));
    return t;
  };
  return (foer, event, eventId) => {
    const efter = foldRegel(foer, event, katalog);
    const relevante = byType.get(event.type);
    if (!efter || !relevante) return { doc: efter, affyringer: [] };
    const input = { event, eventId, foer, efter, taerskler: taersklerFor(efter.kommunekode), katalog };
    const affyringer = relevante.flatMap((regel) =>
      regel.evaluer(input, new Bygger(regel, input)).map((udfald) => ({
        regel: { id: regel.id, version: regel.version },
        udfald,
      })),
    );
    // What was decided now is part of the state from this event on, in log order (docs/adr/0008).
    const doc = affyringer.reduce(
      (d, a) => (a.udfald.type === 'kommando' ? foldBeslutning(d, a.udfald.kommando) : d),
      efter,
    );
    return { doc, affyringer };
  };
}
