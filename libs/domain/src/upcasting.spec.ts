import { BESTILLING_EVENT_TYPES } from './bestilling/bestilling.events';
import { DELMAAL_EVENT_TYPES } from './delmaal/delmaal.events';
import { tilBestillingEvent, tilDelmaalEvent } from './upcasting';

describe('reading stored events', () => {
  it('passes current-version events through', () => {
    const stored = { type: 'BestillingAnnulleret', data: { bestillingId: 'x' }, metadata: { schemaVersion: 1 } };
    expect(tilBestillingEvent(stored)).toEqual({ type: 'BestillingAnnulleret', data: { bestillingId: 'x' } });
  });
  it('refuses an event type that does not belong to the stream', () => {
    expect(() => tilDelmaalEvent({ type: 'BestillingAnnulleret', data: {}, metadata: { schemaVersion: 1 } })).toThrow(
      /Unknown event type/,
    );
  });
  it('refuses an event written by a newer hub rather than misreading it', () => {
    expect(() =>
      tilBestillingEvent({ type: 'BestillingAnnulleret', data: {}, metadata: { schemaVersion: 2 } }),
    ).toThrow(/reads up to 1/);
  });
  it('refuses a version no upcaster reads', () => {
    expect(() =>
      tilBestillingEvent({ type: 'BestillingAnnulleret', data: {}, metadata: { schemaVersion: 0 } }),
    ).toThrow(/No upcaster/);
  });
  it('event type names are unique and ASCII (æ/ø/å transliterated)', () => {
    const all = [...BESTILLING_EVENT_TYPES, ...DELMAAL_EVENT_TYPES];
    expect(new Set(all).size).toBe(all.length);
    for (const type of all) expect(type).toMatch(/^[A-Z][A-Za-z]+$/);
  });
});
