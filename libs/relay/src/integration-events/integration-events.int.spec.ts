import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore, type EventStore, type RecordedEvent } from '@hub/event-store';
import { cloudEventHeaders } from '../cloudevents';
import { annulleretOgAfvist, domainWriter, helIndsats, nyIndsats, type Indsats } from '../testing/domain-writer';
import { validateJson, type Schema } from '../testing/json-schema';
import { OUTBOUND_MESSAGES } from './catalog';
import type { IntegrationMessage } from './integration-event';
import { storeMappingContext, toIntegrationMessages } from './map-event';
import { PAYLOAD_SCHEMAS, SHARED_SCHEMAS } from './schemas.v1';

const SCHEMAS = { ...SHARED_SCHEMAS, ...PAYLOAD_SCHEMAS } as Record<string, Schema>;
const CPR = '0101704321';
const ERASED_CPR = '1212804321';

describe('integration events v1, mapped from what the domain stores', () => {
  let dir: string;
  let store: EventStore;
  let hel: Indsats;
  let annulleret: Indsats;
  let afvist: Indsats;
  let mapped: { event: RecordedEvent; messages: readonly IntegrationMessage[] }[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-mapping-'));
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    const writer = domainWriter(store);
    hel = nyIndsats('0101', 'tilbud-4711');
    annulleret = nyIndsats('0147', 'tilbud-9000');
    afvist = nyIndsats('0101', 'tilbud-9000');
    await helIndsats(writer, hel);
    await annulleretOgAfvist(writer, annulleret, afvist);
    const cprs = new Map([
      [hel.borgerId, CPR],
      [annulleret.borgerId, null],
      [afvist.borgerId, ERASED_CPR],
    ]);
    // The afvist borger is erased: the vault answers null from then on.
    const context = storeMappingContext(store, (borgerId) =>
      borgerId === afvist.borgerId ? null : (cprs.get(borgerId) ?? null),
    );
    mapped = [];
    for (const event of await store.readAll()) {
      context.remember(event);
      mapped.push({ event, messages: await toIntegrationMessages(event, context) });
    }
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const all = () => mapped.flatMap((m) => m.messages);
  const ofType = (type: string) => all().filter((m) => m.type === type);
  const bestillingOf = (id: string) => [hel, annulleret, afvist].find((i) => i.bestillingId === id) as Indsats;

  it('gives every public message type, and each validates against its JSON Schema (no extra fields)', () => {
    expect(new Set(all().map((m) => m.type))).toEqual(new Set(OUTBOUND_MESSAGES.map((m) => m.type)));
    for (const message of all()) {
      const definition = OUTBOUND_MESSAGES.find((d) => d.type === message.type);
      const schema = SCHEMAS[definition?.schema ?? ''] as Schema;
      expect([message.type, validateJson(message.data, schema, SCHEMAS)]).toEqual([message.type, []]);
    }
  });

  it('keeps the catalog and the schemas in step', () => {
    expect(OUTBOUND_MESSAGES.map((m) => m.schema).sort()).toEqual(Object.keys(PAYLOAD_SCHEMAS).sort());
    expect(new Set(OUTBOUND_MESSAGES.map((m) => m.type)).size).toBe(OUTBOUND_MESSAGES.length);
    for (const m of OUTBOUND_MESSAGES) expect(m.type).toMatch(/^dk\.ffb\.[a-z]+\.[a-z]+\.v1$/);
  });

  it("addresses each message to the catalog's party of the bestilling it is about, with the bestilling as subject", () => {
    for (const { event, messages } of mapped) {
      for (const message of messages) {
        const definition = OUTBOUND_MESSAGES.find((d) => d.type === message.type);
        const indsats = bestillingOf(message.subject);
        expect(message.recipient).toEqual({
          party: definition?.recipient,
          id: definition?.recipient === 'udfoerer' ? indsats.tilbudId : indsats.kommunekode,
        });
        expect((message.data as { bestillingId: string }).bestillingId).toBe(message.subject);
        expect((message.data as { borgerId: string }).borgerId).toBe(indsats.borgerId);
        expect(event.data).toMatchObject({ bestillingId: message.subject });
      }
    }
  });

  it('puts the CPR only in bestilling afgivet to the udfører, marked fortrolig-cpr; an erased borger has none', () => {
    const afgivet = ofType('dk.ffb.bestilling.afgivet.v1');
    expect(afgivet.map((m) => [m.subject, (m.data as { cpr: unknown }).cpr, m.sensitivity])).toEqual([
      [hel.bestillingId, CPR, 'fortrolig-cpr'],
      [annulleret.bestillingId, null, 'fortrolig'],
      [afvist.bestillingId, null, 'fortrolig'],
    ]);
    const others = all().filter((m) => m.type !== 'dk.ffb.bestilling.afgivet.v1');
    expect(others.every((m) => m.sensitivity === 'fortrolig')).toBe(true);
    expect(JSON.stringify(others.map((m) => m.data))).not.toContain(CPR);
    expect(JSON.stringify(all().map((m) => m.data))).not.toContain(ERASED_CPR);
  });

  it('keeps internal events and internal fields internal', () => {
    const silent = mapped.filter((m) => m.messages.length === 0).map((m) => m.event.type);
    expect(silent.sort()).toEqual(['DelmaalEvalueret', 'DelmaalsobservationRegistreret', 'VumObservationRegistreret']);
    const unshared = mapped.find(
      (m) =>
        m.event.type === 'VumObservationRegistreret' &&
        !(m.event.data as { paavirkerIndsatsen: boolean }).paavirkerIndsatsen,
    );
    expect(unshared?.messages).toEqual([]);
    const text = JSON.stringify(all().map((m) => m.data));
    // The myndighed's vurderinger, the delmålsplan, the evaluering and the Warn-rule advarsler stay in the hub.
    for (const internal of [
      'Stabil fremgang.',
      'Indsatsen fortsætter.',
      'Vil gerne have venner.',
      'Low arousal virker.',
      'advarsler',
    ]) {
      expect(text).not.toContain(internal);
    }
  });

  it('lays the referenced observations, also an unshared VUM-observation and a delmålsobservation, in the tilbagemelding', () => {
    const [tilbagemelding] = ofType('dk.ffb.tilbagemelding.sendt.v1');
    expect((tilbagemelding?.data as { observationer: unknown[] }).observationer).toEqual([
      expect.objectContaining({ type: 'vum', paavirkerIndsatsen: false, tekst: expect.any(String) }),
      expect.objectContaining({ type: 'delmaal', observation: 'Deltog i fællesspisning i 20 minutter.', score: 2 }),
    ]);
  });

  it('maps the same from the store alone, without the relay having seen the earlier events (after a restart)', async () => {
    const fresh = storeMappingContext(store, (borgerId) => (borgerId === hel.borgerId ? CPR : null));
    for (const type of ['TilbagemeldingSendt', 'DelmaalAfsluttet', 'StatusSendt']) {
      const seen = mapped.find((m) => m.event.type === type) as (typeof mapped)[number];
      expect([type, await toIntegrationMessages(seen.event, fresh)]).toEqual([type, seen.messages]);
    }
  });

  it('builds CloudEvents binary-mode headers from the stored event', () => {
    const { event, messages } = mapped.find((m) => m.event.type === 'BestillingKvitteret') as (typeof mapped)[number];
    const headers = cloudEventHeaders(event, messages[0] as IntegrationMessage, 'urn:ffb-hub:test');
    expect(headers).toEqual({
      ce_specversion: '1.0',
      ce_id: event.eventId,
      ce_type: 'dk.ffb.bestilling.kvitteret.v1',
      ce_source: 'urn:ffb-hub:test',
      ce_subject: hel.bestillingId,
      ce_time: event.metadata.occurredAt,
      ce_dataschema: 'urn:ffb-hub:schema:dk.ffb.bestilling.kvitteret.v1',
      'content-type': 'application/json',
      ce_ffbsender: 'udfoerer:tilbud-4711',
      ce_ffbrecipient: 'myndighed:0101',
      ce_ffbsensitivity: 'fortrolig',
      ce_ffbcorrelationid: event.metadata.correlationId,
      ce_ffbcausationid: event.metadata.causationId,
    });
    for (const name of Object.keys(headers).filter((h) => h.startsWith('ce_'))) {
      expect(name.slice(3)).toMatch(/^[a-z0-9]{1,20}$/);
    }
  });

  it('refuses to map an unknown event type in a public stream, and ignores other categories', async () => {
    const context = storeMappingContext(store, () => null);
    const base = mapped[0]?.event as RecordedEvent;
    await expect(toIntegrationMessages({ ...base, type: 'BestillingOmdoebt' }, context)).rejects.toThrow(
      /Unknown event type/,
    );
    expect(await toIntegrationMessages({ ...base, streamId: `regel-${randomUUID()}` }, context)).toEqual([]);
  });
});
