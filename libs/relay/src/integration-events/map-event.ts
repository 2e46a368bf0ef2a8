import {
  tilBestillingEvent,
  tilDelmaalEvent,
  toBestillingStreamId,
  toDelmaalStreamId,
  type ObservationReference,
} from '@hub/domain';
import type { EventStore, RecordedEvent } from '@hub/event-store';
import { kode, mapBestillingEvent, parterAf } from './bestilling.v1';
import { mapDelmaalEvent } from './delmaal.v1';
import type { BestillingParter, DeltObservation, IntegrationMessage, MappingContext } from './integration-event';

/**
 * The public messages a stored event gives. Only the bestilling and delmål categories are public; a stream of any
 * other category (future internal ones, e.g. rule state) gives nothing, so nothing internal leaks by default. An
 * unknown type inside a public category throws: the relay stops rather than skip what it cannot map.
 */
export async function toIntegrationMessages(
  event: RecordedEvent,
  ctx: MappingContext,
): Promise<readonly IntegrationMessage[]> {
  if (event.streamId.startsWith('bestilling-')) return mapBestillingEvent(tilBestillingEvent(event), ctx);
  if (event.streamId.startsWith('delmaal-')) return mapDelmaalEvent(tilDelmaalEvent(event), ctx);
  return [];
}

export interface StoreMappingContext extends MappingContext {
  /** Caches the parties of a bestilling seen in the log, so its later events need no read. */
  remember(event: RecordedEvent): void;
}

/**
 * Looks up what mappers need in the store (the truth) and the PII vault. The parties of a bestilling never change
 * after afgivelse, so they are cached in memory, bounded, least recently used out first.
 */
export function storeMappingContext(
  store: EventStore,
  laesCpr: (borgerId: string) => string | null | Promise<string | null>,
  options: { readonly maxCachedBestillinger?: number } = {},
): StoreMappingContext {
  const max = options.maxCachedBestillinger ?? 10_000;
  const cache = new Map<string, BestillingParter>();
  const put = (parter: BestillingParter): void => {
    cache.delete(parter.bestillingId);
    cache.set(parter.bestillingId, parter);
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
  };

  const readBestilling = async (bestillingId: string) => {
    const events = await store.readStream(toBestillingStreamId(bestillingId));
    return events.map(tilBestillingEvent);
  };

  return {
    remember(event) {
      if (event.type === 'BestillingAfgivet' && event.streamId.startsWith('bestilling-')) {
        const afgivet = tilBestillingEvent(event);
        if (afgivet.type === 'BestillingAfgivet') put(parterAf(afgivet));
      }
    },
    async parter(bestillingId) {
      const cached = cache.get(bestillingId);
      if (cached) {
        put(cached);
        return cached;
      }
      const [first] = await readBestilling(bestillingId);
      if (first?.type !== 'BestillingAfgivet') {
        throw new Error(`bestilling ${bestillingId} has no BestillingAfgivet as its first event`);
      }
      const parter = parterAf(first);
      put(parter);
      return parter;
    },
    async laesCpr(borgerId) {
      return laesCpr(borgerId);
    },
    async observation(bestillingId, reference: ObservationReference): Promise<DeltObservation> {
      if (reference.type === 'vum') {
        for (const event of await readBestilling(bestillingId)) {
          if (event.type === 'VumObservationRegistreret' && event.data.observationId === reference.observationId) {
            const d = event.data;
            return {
              type: 'vum',
              observationId: d.observationId,
              tekst: d.tekst,
              undertemaer: d.undertemaer.map(kode),
              paavirkerIndsatsen: d.paavirkerIndsatsen,
              observeret: d.observeret,
            };
          }
        }
      } else if (reference.delmaalId !== undefined) {
        for (const recorded of await store.readStream(toDelmaalStreamId(reference.delmaalId))) {
          const event = tilDelmaalEvent(recorded);
          if (
            event.type === 'DelmaalsobservationRegistreret' &&
            event.data.observationId === reference.observationId &&
            event.data.bestillingId === bestillingId
          ) {
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
        }
      }
      // The decider accepted the reference, so the observation is in the store; not finding it is a broken store.
      throw new Error(`observation ${reference.observationId} referenced by bestilling ${bestillingId} is not stored`);
    },
  };
}
