import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALVORSGRADER,
  BORTFALDSAARSAGER,
  KRAV_NIVEAUER,
  KRAV_TRIGGERE,
  MODTAGERE,
  PAAMINDELSE_ARTER,
  toPligtStreamId,
} from '@hub/domain';
import { openSqliteEventStore, type EventStore, type RecordedEvent } from '@hub/event-store';
import { cloudEventHeaders } from '../cloudevents';
import {
  accepteret,
  annulleretOgAfvist,
  domainWriter,
  helIndsats,
  NOW,
  nyIndsats,
  tilbagemeldingspligt,
  type Indsats,
  type PligtForloeb,
  udfoererFor,
} from '../testing/domain-writer';
import { validateJson, type Schema } from '../testing/json-schema';
import { partyLabel } from '../topics';
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
  /** Two indsatser with a tilbagemeldingspligt forløb: one of hel's kommune and tilbud, one of neither. */
  let pligtA: Indsats;
  let pligtB: Indsats;
  let forloebA: PligtForloeb;
  let forloebB: PligtForloeb;
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
    pligtA = nyIndsats('0101', 'tilbud-4711');
    pligtB = nyIndsats('0147', 'tilbud-9000');
    await accepteret(writer, pligtA);
    await accepteret(writer, pligtB);
    forloebA = await tilbagemeldingspligt(writer, pligtA);
    forloebB = await tilbagemeldingspligt(writer, pligtB);
    // The afvist borger's myndighed erases it; its two bestillinger (afvist and annulleret) span two kommuner' topics
    // here only to show one notice per party topic.
    await store.appendToStream(
      `borger-${afvist.borgerId}`,
      [
        {
          eventId: randomUUID(),
          type: 'BorgerSlettet',
          data: {
            borgerId: afvist.borgerId,
            kommunekode: afvist.kommunekode,
            slettet: '2026-05-01T10:00:00.000Z',
            bestillinger: [afvist, annulleret].map((i) => ({
              bestillingId: i.bestillingId,
              kommunekode: i.kommunekode,
              tilbudId: i.tilbudId,
            })),
          },
          metadata: {
            schemaVersion: 1,
            occurredAt: '2026-05-01T10:00:00.000Z',
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: { party: 'myndighed', subject: 'sagsbehandler', kommunekode: afvist.kommunekode },
          },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
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
  const indsatser = () => [hel, annulleret, afvist, pligtA, pligtB];
  const bestillingOf = (id: string) => indsatser().find((i) => i.bestillingId === id) as Indsats;
  const definitionOf = (type: string) => OUTBOUND_MESSAGES.find((d) => d.type === type);
  const enumOf = (schema: string, property: string) =>
    (PAYLOAD_SCHEMAS[schema] as { properties: Record<string, { enum?: unknown[] }> }).properties[property]?.enum;

  it('sends the erasure notice once to each party topic that carried the borger, with no personal data', () => {
    const notices = ofType('dk.ffb.borger.slettet.v1');
    expect(notices.map((m) => [partyLabel(m.recipient), m.subject, m.data]).sort()).toEqual(
      [
        ['myndighed:0101', [afvist.bestillingId]],
        ['udfoerer:tilbud-9000', [afvist.bestillingId, annulleret.bestillingId]],
        ['myndighed:0147', [annulleret.bestillingId]],
      ]
        .map(([party, bestillingIds]) => [
          party,
          afvist.borgerId,
          { borgerId: afvist.borgerId, bestillingIds, slettet: '2026-05-01T10:00:00.000Z' },
        ])
        .sort(),
    );
    expect(notices.every((m) => m.sensitivity === 'fortrolig')).toBe(true);
  });

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
    for (const m of OUTBOUND_MESSAGES) expect([m.type, m.recipients.length > 0]).toEqual([m.type, true]);
  });

  it("keeps the tilbagemeldingspligt schemas' closed lists equal to the domain's, so a new value cannot slip out unannounced", () => {
    expect(enumOf('TilbagemeldingKraevetV1', 'trigger')).toEqual([...KRAV_TRIGGERE]);
    expect(enumOf('TilbagemeldingKraevetV1', 'niveau')).toEqual([...KRAV_NIVEAUER]);
    expect(enumOf('PaamindelseSendtV1', 'art')).toEqual([...PAAMINDELSE_ARTER]);
    expect(enumOf('PaamindelseSendtV1', 'alvor')).toEqual([...ALVORSGRADER]);
    expect(enumOf('PaamindelseSendtV1', 'modtager')).toEqual([...MODTAGERE]);
    expect(enumOf('PaamindelseAfsluttetV1', 'modtager')).toEqual([...MODTAGERE]);
    expect(enumOf('TilbagemeldingskravBortfaldetV1', 'aarsag')).toEqual([...BORTFALDSAARSAGER]);
  });

  it('addresses each message to a catalog party of the bestilling it is about, with the bestilling as subject', () => {
    for (const { event, messages } of mapped) {
      for (const message of messages) {
        // The erasure notice is about the borger, across bestillinger (its own test checks it).
        if (message.type === 'dk.ffb.borger.slettet.v1') continue;
        const definition = definitionOf(message.type);
        const indsats = bestillingOf(message.subject);
        expect(definition?.recipients).toContain(message.recipient.party);
        expect(message.recipient).toEqual({
          party: message.recipient.party,
          id: message.recipient.party === 'udfoerer' ? indsats.tilbudId : indsats.kommunekode,
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
      [pligtA.bestillingId, null, 'fortrolig'],
      [pligtB.bestillingId, null, 'fortrolig'],
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
    for (const type of [
      'TilbagemeldingSendt',
      'DelmaalAfsluttet',
      'StatusSendt',
      'TilbagemeldingKraevet',
      'TilbagemeldingskravOpfyldt',
      'TilbagemeldingskravBortfaldet',
      'PaamindelseSendt',
      'PaamindelseAfsluttet',
    ]) {
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

  it('refuses an unknown event type in a tilbagemeldingspligt stream, and a pligt event that names other parties', async () => {
    const context = storeMappingContext(store, () => null);
    const krav = mapped.find(
      (m) => m.event.type === 'TilbagemeldingKraevet' && m.event.streamId === toPligtStreamId(pligtA.bestillingId),
    )?.event as RecordedEvent;
    await expect(toIntegrationMessages({ ...krav, type: 'PligtOmdoebt' }, context)).rejects.toThrow(
      /Unknown event type PligtOmdoebt/,
    );
    // A type of another category in this one is just as unknown.
    await expect(toIntegrationMessages({ ...krav, type: 'BestillingAfgivet' }, context)).rejects.toThrow(
      /Unknown event type/,
    );
    const data = krav.data as Record<string, unknown>;
    for (const other of [
      { tilbudId: pligtB.tilbudId },
      { kommunekode: pligtB.kommunekode },
      { borgerId: pligtB.borgerId },
    ]) {
      await expect(toIntegrationMessages({ ...krav, data: { ...data, ...other } }, context)).rejects.toThrow(
        /names other parties/,
      );
    }
  });

  describe('the tilbagemeldingspligt', () => {
    const pligtOf = (indsats: Indsats) =>
      mapped.filter((m) => m.event.streamId === toPligtStreamId(indsats.bestillingId));
    const eventIdOf = (type: string, field: string, value: string) =>
      mapped.find((m) => m.event.type === type && (m.event.data as Record<string, unknown>)[field] === value)?.event
        .eventId;

    it('routes a krav, its opfyldelse and its bortfald to both parties, a påmindelse and its afslutning only to its modtager', () => {
      for (const [indsats, forloeb] of [
        [pligtA, forloebA],
        [pligtB, forloebB],
      ] as const) {
        const udfoerer = `udfoerer:${indsats.tilbudId}`;
        const myndighed = `myndighed:${indsats.kommunekode}`;
        const routed = pligtOf(indsats).map(({ event, messages }) => [
          event.type,
          (event.data as { paamindelseId?: string }).paamindelseId ?? null,
          messages.map((m) => `${m.type} ${partyLabel(m.recipient)} ${m.subject} ${m.sensitivity}`),
        ]);
        const to = (type: string, ...labels: string[]) =>
          labels.map((label) => `dk.ffb.${type}.v1 ${label} ${indsats.bestillingId} fortrolig`);
        expect(routed).toEqual([
          ['TilbagemeldingKraevet', null, to('tilbagemeldingspligt.kraevet', udfoerer, myndighed)],
          ['PaamindelseSendt', forloeb.paamindelseTilUdfoerer, to('paamindelse.sendt', udfoerer)],
          ['TilbagemeldingskravOpfyldt', null, to('tilbagemeldingspligt.opfyldt', udfoerer, myndighed)],
          ['PaamindelseAfsluttet', forloeb.paamindelseTilUdfoerer, to('paamindelse.afsluttet', udfoerer)],
          ['PaamindelseSendt', forloeb.paamindelseTilMyndighed, to('paamindelse.sendt', myndighed)],
          ['PaamindelseAfsluttet', forloeb.paamindelseTilMyndighed, to('paamindelse.afsluttet', myndighed)],
          ['TilbagemeldingKraevet', null, to('tilbagemeldingspligt.kraevet', udfoerer, myndighed)],
          ['TilbagemeldingskravBortfaldet', null, to('tilbagemeldingspligt.bortfaldet', udfoerer, myndighed)],
        ]);
      }
    });

    it('carries the rule, its version and the causing events, the explicit public fields and nothing else', () => {
      const messages = pligtOf(pligtA).flatMap((m) => m.messages);
      const observationEvent = eventIdOf('VumObservationRegistreret', 'observationId', forloebA.observationId);
      const tilbagemeldingEvent = eventIdOf('TilbagemeldingSendt', 'tilbagemeldingId', forloebA.tilbagemeldingId);
      expect(observationEvent).toEqual(expect.any(String));
      expect(tilbagemeldingEvent).toEqual(expect.any(String));
      const parter = {
        bestillingId: pligtA.bestillingId,
        borgerId: pligtA.borgerId,
        kommunekode: '0101',
        tilbudId: 'tilbud-4711',
      };
      const [kraevet] = messages.filter((m) => m.type === 'dk.ffb.tilbagemeldingspligt.kraevet.v1');
      expect(kraevet?.data).toEqual({
        ...parter,
        regel: { id: 'T1-TAGER-IKKE-IMOD', version: 1 },
        aarsager: [observationEvent],
        kravId: forloebA.kravId,
        trigger: 'T1',
        niveau: 'paakraevet',
        indsatsmaalId: pligtA.maal1,
        delmaalId: null,
        begrundelse: 'En observation registrerer, at borgeren ikke tager imod indsatsen.',
        frist: '2026-04-12',
        kraevet: NOW,
      });
      const [opfyldt] = messages.filter((m) => m.type === 'dk.ffb.tilbagemeldingspligt.opfyldt.v1');
      expect(opfyldt?.data).toEqual({
        ...parter,
        regel: { id: 'T1-TAGER-IKKE-IMOD', version: 1 },
        aarsager: [tilbagemeldingEvent],
        kravId: forloebA.kravId,
        tilbagemeldingId: forloebA.tilbagemeldingId,
        opfyldt: NOW,
      });
      const [overskredet, kvittering] = messages.filter((m) => m.type === 'dk.ffb.paamindelse.sendt.v1');
      expect(overskredet?.data).toMatchObject({
        ...parter,
        paamindelseId: forloebA.paamindelseTilUdfoerer,
        art: 'tilbagemeldingskrav_overskredet',
        modtager: 'udfoerer',
        alvor: 'overskredet',
        // Every emne field is present; those the art does not use are null.
        emne: {
          version: null,
          indsatsmaalId: pligtA.maal1,
          delmaalId: null,
          tilbagemeldingId: null,
          kravId: forloebA.kravId,
          dato: '2026-04-12',
        },
        forfald: '2026-04-12T22:00:00.000Z',
        sendt: NOW,
      });
      expect(kvittering?.data).toMatchObject({
        modtager: 'myndighed',
        aarsager: [tilbagemeldingEvent],
        emne: { tilbagemeldingId: forloebA.tilbagemeldingId, kravId: null },
      });
      const afsluttet = messages.filter((m) => m.type === 'dk.ffb.paamindelse.afsluttet.v1').map((m) => m.data);
      expect(afsluttet).toEqual([
        expect.objectContaining({ paamindelseId: forloebA.paamindelseTilUdfoerer, modtager: 'udfoerer' }),
        expect.objectContaining({ paamindelseId: forloebA.paamindelseTilMyndighed, modtager: 'myndighed' }),
      ]);
      // The lapse names the krav, why it lapsed and, as its cause, the krav's own event (its frist passed).
      const t3KravEvent = eventIdOf('TilbagemeldingKraevet', 'kravId', forloebA.bortfaldetKravId);
      expect(t3KravEvent).toEqual(expect.any(String));
      const bortfaldet = messages.filter((m) => m.type === 'dk.ffb.tilbagemeldingspligt.bortfaldet.v1');
      expect(bortfaldet.map((m) => m.recipient)).toEqual([
        { party: 'udfoerer', id: 'tilbud-4711' },
        { party: 'myndighed', id: '0101' },
      ]);
      for (const message of bortfaldet) {
        expect(message.data).toEqual({
          ...parter,
          regel: { id: 'KRAV-BORTFALD', version: 1 },
          aarsager: [t3KravEvent],
          kravId: forloebA.bortfaldetKravId,
          aarsag: 'anbefaling_udloebet',
          bortfaldet: NOW,
        });
      }
    });

    it('keeps a lapsed krav out of reach: a tilbagemelding that names it is refused, and no message is published for it', async () => {
      const writer = domainWriter(store);
      const head = await store.headPosition();
      await expect(
        writer.bestilling(
          {
            type: 'SendTilbagemelding',
            data: {
              bestillingId: pligtA.bestillingId,
              tilbagemeldingId: randomUUID(),
              trigger: 'T3',
              tekst: 'Borgeren er flyttet.',
              opfylderKravId: forloebA.bortfaldetKravId,
              observationer: [{ type: 'vum', observationId: forloebA.t3ObservationId }],
            },
          },
          udfoererFor(pligtA.tilbudId),
        ),
      ).rejects.toMatchObject({ code: 'TILBAGEMELDINGSKRAV.FINDES_IKKE' });
      expect(await store.headPosition()).toBe(head);
      // The krav stays lapsed in the public record: krævet and bortfaldet, never opfyldt.
      const ofKrav = pligtOf(pligtA)
        .filter((m) => (m.event.data as { kravId?: string }).kravId === forloebA.bortfaldetKravId)
        .map((m) => m.event.type);
      expect(ofKrav).toEqual(['TilbagemeldingKraevet', 'TilbagemeldingskravBortfaldet']);
    });

    it("gives no party another kommune's or tilbud's indsats: not as recipient, not in a payload", () => {
      let checked = 0;
      for (const message of all()) {
        // The erasure notice names only the bestillinger the party received (its own test checks exactly which).
        if (message.type === 'dk.ffb.borger.slettet.v1') continue;
        const own = bestillingOf(message.subject);
        const mine = (i: Indsats) =>
          message.recipient.party === 'udfoerer'
            ? i.tilbudId === message.recipient.id
            : i.kommunekode === message.recipient.id;
        expect(mine(own)).toBe(true);
        const payload = JSON.stringify(message.data);
        for (const other of indsatser().filter((i) => i !== own)) {
          expect(payload).not.toContain(other.bestillingId);
          expect(payload).not.toContain(other.borgerId);
        }
        checked += 1;
      }
      // The forløb reaches four parties (two tilbud, two kommuner), each only with its own bestilling.
      const pligtRecipients = new Set(
        [pligtA, pligtB].flatMap((i) => pligtOf(i).flatMap((m) => m.messages.map((x) => partyLabel(x.recipient)))),
      );
      expect(pligtRecipients).toEqual(
        new Set(['udfoerer:tilbud-4711', 'myndighed:0101', 'udfoerer:tilbud-9000', 'myndighed:0147']),
      );
      expect(checked).toBe(all().filter((m) => m.type !== 'dk.ffb.borger.slettet.v1').length);
    });

    it('is sent by the hub: the rule is the sender in the CloudEvents headers', () => {
      const { event, messages } = pligtOf(pligtB)[0] as (typeof mapped)[number];
      const headers = messages.map((m) => cloudEventHeaders(event, m, 'urn:ffb-hub:test'));
      expect(headers.map((h) => [h.ce_type, h.ce_ffbsender, h.ce_ffbrecipient, h.ce_id, h.ce_subject])).toEqual([
        ['dk.ffb.tilbagemeldingspligt.kraevet.v1', 'hub', 'udfoerer:tilbud-9000', event.eventId, pligtB.bestillingId],
        ['dk.ffb.tilbagemeldingspligt.kraevet.v1', 'hub', 'myndighed:0147', event.eventId, pligtB.bestillingId],
      ]);
      expect(event.metadata.actor).toEqual({ party: 'hub', subject: 'regel:T1-TAGER-IKKE-IMOD@1' });
    });
  });

  describe('a VUM-observation recording that the borger declines the indsats (T1)', () => {
    const delt = () => ofType('dk.ffb.vumobservation.delt.v1');
    const vumSchema = SCHEMAS['VumObservationDeltV1'] as Schema;

    it('is shared with the myndighed even when it does not affect the indsats, and says so', () => {
      const [declined] = delt().filter((m) => m.subject === pligtA.bestillingId);
      expect(declined?.recipient).toEqual({ party: 'myndighed', id: '0101' });
      expect(declined?.data).toMatchObject({
        observationId: forloebA.observationId,
        paavirkerIndsatsen: false,
        borgerTagerIkkeImod: true,
      });
      // The T3 observation of the whole indsats says false; the one that neither affects nor declines stays silent.
      expect(
        delt()
          .filter((m) => m.subject === hel.bestillingId)
          .map((m) => m.data),
      ).toEqual([expect.objectContaining({ paavirkerIndsatsen: true, borgerTagerIkkeImod: false })]);
      const [tilbagemelding] = ofType('dk.ffb.tilbagemelding.sendt.v1').filter(
        (m) => m.subject === pligtA.bestillingId,
      );
      expect((tilbagemelding?.data as { observationer: unknown[] }).observationer).toEqual([
        expect.objectContaining({ type: 'vum', observationId: forloebA.observationId, borgerTagerIkkeImod: true }),
      ]);
    });

    it('says false for an observation stored before the field existed', async () => {
      const stored = mapped.find(
        (m) => m.event.type === 'VumObservationRegistreret' && m.messages[0]?.subject === hel.bestillingId,
      )?.event as RecordedEvent;
      const { borgerTagerIkkeImod, ...old } = stored.data as Record<string, unknown>;
      expect(borgerTagerIkkeImod).toBe(false);
      const [message] = await toIntegrationMessages(
        { ...stored, data: old },
        storeMappingContext(store, () => null),
      );
      expect(message?.data).toMatchObject({ paavirkerIndsatsen: true, borgerTagerIkkeImod: false });
    });

    it('keeps v1 backwards compatible: the field is optional in the schemas, but typed', () => {
      const [message] = delt();
      const { borgerTagerIkkeImod, ...before } = message?.data as Record<string, unknown>;
      expect(typeof borgerTagerIkkeImod).toBe('boolean');
      expect(validateJson(before, vumSchema, SCHEMAS)).toEqual([]);
      expect(validateJson({ ...before, borgerTagerIkkeImod: 'ja' }, vumSchema, SCHEMAS)).not.toEqual([]);
      const observation = (ofType('dk.ffb.tilbagemelding.sendt.v1')[0]?.data as { observationer: object[] })
        .observationer[0] as Record<string, unknown>;
      const { borgerTagerIkkeImod: flag, ...olderObservation } = observation;
      expect(flag).toBe(false);
      const observationSchema = SCHEMAS['DeltObservationV1'] as Schema;
      expect(validateJson(olderObservation, observationSchema, SCHEMAS)).toEqual([]);
      expect(validateJson({ ...olderObservation, borgerTagerIkkeImod: 1 }, observationSchema, SCHEMAS)).not.toEqual([]);
    });
  });
});
