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
import { foldRegel, type RegelDoc, type RegelEvent } from './regel-tilstand';
import { REGLER } from './regler';

export interface Affyring {
  readonly regel: { readonly id: string; readonly version: number };
  readonly udfald: Udfald;
}

/** The rule events of a stored event: bestilling, delmål and tilbagemeldingspligt streams; nothing else. */
export function tilRegelEvent(recorded: RecordedEvent): RegelEvent | undefined {
  const category = recorded.streamId.slice(0, recorded.streamId.indexOf('-'));
  if (category === 'bestilling') return tilBestillingEvent(recorded);
  if (category === 'delmaal') return tilDelmaalEvent(recorded);
  if (category === 'tilbagemeldingspligt') return tilPligtEvent(recorded);
  return undefined;
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
  return (foer, event, eventId) => {
    const efter = foldRegel(foer, event, katalog);
    const relevante = byType.get(event.type);
    if (!efter || !relevante) return { doc: efter, affyringer: [] };
    const input = { event, eventId, foer, efter, taerskler: taerskler(efter.kommunekode), katalog };
    const affyringer = relevante.flatMap((regel) =>
      regel.evaluer(input, new Bygger(regel, input)).map((udfald) => ({
        regel: { id: regel.id, version: regel.version },
        udfald,
      })),
    );
    return { doc: efter, affyringer };
  };
}
