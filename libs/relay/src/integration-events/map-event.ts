import {
  tilBestillingEvent,
  tilDelmaalEvent,
  tilPligtEvent,
  tilBorgerEvent,
  toBestillingStreamId,
  toDelmaalStreamId,
  type BestillingEvent,
  type DelmaalEvent,
  type ObservationReference,
} from '@hub/domain';
import type { EventStore, RecordedEvent } from '@hub/event-store';
import { kode, mapBestillingEvent, parterAf } from './bestilling.v1';
import { mapDelmaalEvent } from './delmaal.v1';
import { mapPligtEvent } from './pligt.v1';
import { mapBorgerEvent } from './borger.v1';
import type { BestillingParter, DeltObservation, IntegrationMessage, MappingContext } from './integration-event';

/**
 * The public messages a stored event gives. Only the bestilling, delmål, tilbagemeldingspligt and borger categories
 * are public; a stream of any other category (future internal ones, e.g. rule state) gives nothing, so nothing internal
 * leaks by default. An unknown type inside a public category throws (the upcasters know each category's types): the
 * relay stops rather than skip what it cannot map.
 */
export async function toIntegrationMessages(
  event: RecordedEvent,
  ctx: MappingContext,
): Promise<readonly IntegrationMessage[]> {
  if (event.streamId.startsWith('bestilling-')) return mapBestillingEvent(tilBestillingEvent(event), ctx);
  if (event.streamId.startsWith('delmaal-')) return mapDelmaalEvent(tilDelmaalEvent(event), ctx);
  if (event.streamId.startsWith('tilbagemeldingspligt-')) return mapPligtEvent(tilPligtEvent(event), ctx);
  if (event.streamId.startsWith('borger-')) return mapBorgerEvent(tilBorgerEvent(event));
  return [];
}

export interface StoreMappingContext extends MappingContext {
  /** Caches what later events need from this one (a bestilling's parties, an observation's content). */
  remember(event: RecordedEvent): void;
}

/** A bounded map, least recently used out first. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
}

const vumKey = (bestillingId: string, observationId: string) => `vum ${bestillingId} ${observationId}`;
const delmaalKey = (bestillingId: string, delmaalId: string, observationId: string) =>
  `delmaal ${bestillingId} ${delmaalId} ${observationId}`;

function vumObservation(event: BestillingEvent): DeltObservation | undefined {
  if (event.type !== 'VumObservationRegistreret') return undefined;
  const d = event.data;
  return {
    type: 'vum',
    observationId: d.observationId,
    tekst: d.tekst,
    undertemaer: d.undertemaer.map(kode),
    paavirkerIndsatsen: d.paavirkerIndsatsen,
    borgerTagerIkkeImod: d.borgerTagerIkkeImod ?? false,
    observeret: d.observeret,
  };
}

function delmaalsobservation(event: DelmaalEvent): DeltObservation | undefined {
  if (event.type !== 'DelmaalsobservationRegistreret') return undefined;
  const d = event.data;
  return {
    type: 'delmaal',
    observationId: d.observationId,
    delmaalId: d.delmaalId,
    observation: d.observation,
    refleksion: d.refleksion,
    score: d.score,
    observeret: d.observeret,
  };
}

/**
 * Looks up what mappers need in the store (the truth) and the PII vault. Stored events never change, so what the
 * relay saw pass in the log is cached in memory, bounded: a bestilling's parties (fixed at afgivelse) and recent
 * observations (a tilbagemelding references observations made shortly before it). A miss reads the store.
 */
export function storeMappingContext(
  store: EventStore,
  laesCpr: (borgerId: string) => string | null | Promise<string | null>,
  options: { readonly maxCachedBestillinger?: number; readonly maxCachedObservationer?: number } = {},
): StoreMappingContext {
  const parter = new Lru<BestillingParter>(options.maxCachedBestillinger ?? 10_000);
  const observationer = new Lru<DeltObservation>(options.maxCachedObservationer ?? 20_000);

  const readBestilling = async (bestillingId: string) => {
    const events = await store.readStream(toBestillingStreamId(bestillingId));
    return events.map(tilBestillingEvent);
  };

  return {
    remember(event) {
      if (event.streamId.startsWith('bestilling-')) {
        if (event.type !== 'BestillingAfgivet' && event.type !== 'VumObservationRegistreret') return;
        const domain = tilBestillingEvent(event);
        if (domain.type === 'BestillingAfgivet') parter.set(domain.data.bestillingId, parterAf(domain));
        const vum = vumObservation(domain);
        if (vum) observationer.set(vumKey(domain.data.bestillingId, vum.observationId), vum);
      } else if (event.streamId.startsWith('delmaal-') && event.type === 'DelmaalsobservationRegistreret') {
        const domain = tilDelmaalEvent(event);
        const observation = delmaalsobservation(domain);
        if (observation?.type === 'delmaal') {
          const key = delmaalKey(domain.data.bestillingId, observation.delmaalId, observation.observationId);
          observationer.set(key, observation);
        }
      }
    },
    async parter(bestillingId) {
      const cached = parter.get(bestillingId);
      if (cached) return cached;
      const [first] = await readBestilling(bestillingId);
      if (first?.type !== 'BestillingAfgivet') {
        throw new Error(`bestilling ${bestillingId} has no BestillingAfgivet as its first event`);
      }
      const found = parterAf(first);
      parter.set(bestillingId, found);
      return found;
    },
    async laesCpr(borgerId) {
      return laesCpr(borgerId);
    },
    async observation(bestillingId, reference: ObservationReference): Promise<DeltObservation> {
      const { observationId, delmaalId } = reference;
      if (reference.type === 'vum') {
        const cached = observationer.get(vumKey(bestillingId, observationId));
        if (cached) return cached;
        for (const event of await readBestilling(bestillingId)) {
          const found = vumObservation(event);
          if (found?.observationId === observationId) return found;
        }
      } else if (delmaalId !== undefined) {
        const cached = observationer.get(delmaalKey(bestillingId, delmaalId, observationId));
        if (cached) return cached;
        for (const recorded of await store.readStream(toDelmaalStreamId(delmaalId))) {
          const event = tilDelmaalEvent(recorded);
          const found = delmaalsobservation(event);
          if (found?.observationId === observationId && event.data.bestillingId === bestillingId) return found;
        }
      }
      // The decider accepted the reference, so the observation is in the store; not finding it is a broken store.
      throw new Error(`observation ${observationId} referenced by bestilling ${bestillingId} is not stored`);
    },
  };
}
